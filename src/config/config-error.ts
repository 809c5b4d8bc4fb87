/** The config file's name, looked for in the working folder. */
export const CONFIG_FILE = 'creditlake.config.json';

/** The lake folder when neither the config file nor --lake names one. */
export const DEFAULT_LAKE = './lake';

/** An invalid config file or lake setting; a usage error (exit 2). Apart from config.ts so the CLI can use it without loading zod. */
export class ConfigError extends Error {}
