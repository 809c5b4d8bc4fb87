import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { MappingSchema, type Mapping } from './schema.js';
import { MappingError } from './compile.js';

/** Shipped presets are plain mapping files in ./presets, so a user can copy one and adapt it. */
export const PRESET_DIR = fileURLToPath(new URL('./presets/', import.meta.url));

export function parseMapping(text: string, source: string): Mapping {
  let raw: unknown;
  try {
    raw = /\.ya?ml$/i.test(source) ? parseYaml(text) : JSON.parse(text);
  } catch (e) {
    throw new MappingError(`mapping ${source}: not valid ${/\.ya?ml$/i.test(source) ? 'YAML' : 'JSON'} (${(e as Error).message})`);
  }
  const r = MappingSchema.safeParse(raw);
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new MappingError(`invalid mapping ${source}:\n${lines.join('\n')}`);
  }
  return r.data;
}

export function presetNames(): string[] {
  return readdirSync(PRESET_DIR)
    .filter((f) => extname(f) === '.json')
    .map((f) => f.slice(0, -5))
    .sort();
}

export function loadPreset(name: string): Mapping {
  const path = join(PRESET_DIR, `${name}.json`);
  if (!existsSync(path)) throw new MappingError(`unknown mapping preset "${name}"; presets: ${presetNames().join(', ')}`);
  return parseMapping(readFileSync(path, 'utf8'), path);
}

export function listPresets(): Mapping[] {
  return presetNames().map(loadPreset);
}

/** `--mapping` takes a preset name or a path to a JSON/YAML mapping file. */
export function loadMapping(ref: string, cwd = process.cwd()): Mapping {
  const looksLikePath = /[\\/]/.test(ref) || /\.(json|ya?ml)$/i.test(ref);
  if (looksLikePath) {
    const path = resolve(cwd, ref);
    if (!existsSync(path)) throw new MappingError(`mapping file not found: ${path}`);
    return parseMapping(readFileSync(path, 'utf8'), path);
  }
  return loadPreset(ref);
}
