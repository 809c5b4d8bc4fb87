import { parseConfig, type Config } from '../config/config.js';
import { BUILD_MARKER_KEY, type BuildMarker } from '../lake/build-marker.js';

/** Settings of where and how this machine runs the build; they never come from the lake. */
const LOCAL_KEYS = new Set(['lake', 'athena', 'duckdb', 'trino', '$schema']);

export interface LakeConfig {
  config: Config;
  /** Top-level sections where the lake's config differs from the local one (empty: same, or none deployed). */
  differs: string[];
  fromLake: boolean;
}

/**
 * The config a build against an S3 lake uses: the one its stack deployed (recorded by every build in
 * the lake's build marker), so a laptop build computes the same marts as the scheduled one; this
 * machine's lake, workgroup and engine settings stay its own.
 */
export function configForLake(local: Config, marker: Pick<BuildMarker, 'config'> | undefined): LakeConfig {
  if (!marker?.config || typeof marker.config !== 'object') return { config: local, differs: [], fromLake: false };
  const deployed = parseConfig({ ...marker.config, lake: local.lake }, `${BUILD_MARKER_KEY} (the config the lake's last build used)`);
  const merged = { ...deployed } as Record<string, unknown>;
  for (const k of LOCAL_KEYS) if (k in local) merged[k] = (local as Record<string, unknown>)[k];
  const differs = Object.keys(merged).filter((k) => !LOCAL_KEYS.has(k) && JSON.stringify(merged[k]) !== JSON.stringify((local as Record<string, unknown>)[k]));
  return { config: merged as Config, differs, fromLake: true };
}

export { readBuildMarker } from '../lake/build-marker.js';
