import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { toKey, type LakeStore } from './store.js';

/** In-flight names start with this, live beside their target and never end in `.parquet`/`.json`. */
export const TEMP_PREFIX = '.inflight-';

/**
 * A lake in a local folder. Writes go to a temporary name in the target's own folder (same file
 * system) and are then renamed over the target: rename is atomic on POSIX, so DuckDB globbing
 * `*.parquet` and `list()` never see a half-written object.
 */
export class LocalLakeStore implements LakeStore {
  readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  get location(): string {
    return this.root;
  }

  /** Absolute local path of a key (the local lake is also read directly by DuckDB). */
  pathOf(key: string): string {
    const k = toKey(key);
    if (k.split('/').includes('..')) throw new Error(`lake key escapes the lake: ${key}`);
    return join(this.root, k);
  }

  async exists(key: string): Promise<boolean> {
    try {
      await stat(this.pathOf(key));
      return true;
    } catch {
      return false;
    }
  }

  async list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.name.startsWith(TEMP_PREFIX)) continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) await walk(p);
        else out.push(toKey(p.slice(this.root.length)));
      }
    };
    await walk(this.pathOf(prefix));
    return out.sort();
  }

  async readText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  async writeText(key: string, text: string): Promise<void> {
    await this.atomically(key, (tmp) => writeFile(tmp, text, 'utf8'));
  }

  async putFile(localPath: string, key: string): Promise<void> {
    await this.atomically(key, (tmp) => copyFile(localPath, tmp));
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Stale in-flight files left by a killed writer for the same target name. */
  async removeStaleTemps(key: string): Promise<void> {
    const target = this.pathOf(key);
    let names: string[];
    try {
      names = await readdir(dirname(target));
    } catch {
      return;
    }
    const stem = `${TEMP_PREFIX}${basename(target)}.`;
    await Promise.all(names.filter((n) => n.startsWith(stem)).map((n) => rm(join(dirname(target), n), { force: true })));
  }

  private async atomically(key: string, write: (tmp: string) => Promise<void>): Promise<void> {
    const target = this.pathOf(key);
    await mkdir(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `${TEMP_PREFIX}${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      await write(tmp);
      await rename(tmp, target);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }
}
