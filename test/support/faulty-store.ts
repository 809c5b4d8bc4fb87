import type { LakeStore } from '../../src/lake/store.js';

/**
 * A lake store that fails one chosen write (putFile, writeText or delete), to prove a commit path
 * survives a failure at every step. `before`: the write never happens (a crash, a refused PUT).
 * `after`: the write lands but the caller gets an error (a kill or a lost response after S3 took the
 * object): the retry then meets a write it does not know about.
 */
export type FaultMode = 'before' | 'after';

export class InjectedFault extends Error {}

export class FaultyStore implements LakeStore {
  /** Writes seen so far (1-based count of the next one is writes + 1). */
  writes = 0;
  readonly log: string[] = [];

  constructor(
    private readonly inner: LakeStore,
    private readonly failAt = 0,
    private readonly mode: FaultMode = 'before',
  ) {
    // Local stores expose pathOf (readers use local files in place), S3 stores getFile: mirror
    // exactly what the inner store has, since callers test for the property.
    const local = inner as LakeStore & { pathOf?: (k: string) => string };
    if (local.pathOf) Object.assign(this, { pathOf: (k: string) => local.pathOf!(k) });
    if (inner.getFile) this.getFile = (k, p) => inner.getFile!(k, p);
  }

  getFile?: LakeStore['getFile'];

  get location(): string {
    return this.inner.location;
  }

  exists(key: string) {
    return this.inner.exists(key);
  }
  list(prefix: string) {
    return this.inner.list(prefix);
  }
  readText(key: string) {
    return this.inner.readText(key);
  }

  private async write(what: string, op: () => Promise<void>): Promise<void> {
    this.writes++;
    this.log.push(what);
    if (this.writes !== this.failAt) return op();
    if (this.mode === 'after') await op();
    throw new InjectedFault(`injected failure at write ${this.writes} (${what}, ${this.mode})`);
  }

  writeText(key: string, text: string) {
    return this.write(`writeText ${key}`, () => this.inner.writeText(key, text));
  }
  putFile(localPath: string, key: string) {
    return this.write(`putFile ${key}`, () => this.inner.putFile(localPath, key));
  }
  delete(key: string) {
    return this.write(`delete ${key}`, () => this.inner.delete(key));
  }
}
