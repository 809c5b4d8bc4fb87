import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { CONFIG_FILE, parseConfig, type Config } from '../src/config/config.js';
import { PROJECT_ROOT } from './lambda-code.js';

/** Lambda allows 4 KB of environment in all; the rest of the variables need a few hundred bytes. */
export const MAX_DEPLOYED_CONFIG_BYTES = 3000;

export interface DeployedConfig {
  /** The file the config came from (undefined: no file, defaults). */
  path?: string;
  /** What the functions get as CREDITLAKE_CONFIG: the file as written, without `lake` (the stack's bucket is the lake). */
  json: string;
  config: Config;
  sha256: string;
}

/**
 * The project's creditlake.config.json for the stack, validated at synth time by the same zod schema
 * the CLI uses: an invalid config fails `cdk synth` with the field path, before anything deploys.
 * `file` (context `creditlake:configFile`) is relative to the project root.
 */
export function loadDeployedConfig(file?: string, root = PROJECT_ROOT, maxBytes = MAX_DEPLOYED_CONFIG_BYTES): DeployedConfig {
  const path = file ? (isAbsolute(file) ? file : join(root, file)) : join(root, CONFIG_FILE);
  let raw: Record<string, unknown> = {};
  let used: string | undefined;
  if (existsSync(path)) {
    try {
      raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`invalid config ${path}: not valid JSON (${(e as Error).message})`);
    }
    used = path;
  } else if (file) {
    throw new Error(`config file not found: ${path} (context creditlake:configFile)`);
  }
  const config = parseConfig(raw, path);
  const { lake: _lake, $schema: _schema, ...deployed } = raw;
  const json = JSON.stringify(deployed);
  if (Buffer.byteLength(json) > maxBytes) {
    throw new Error(`config ${path} is ${Buffer.byteLength(json)} bytes without whitespace; Lambda environments hold ${maxBytes} for it: leave defaults out`);
  }
  return { path: used, json, config, sha256: createHash('sha256').update(json).digest('hex') };
}
