import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { S3LakeStore } from '../lake/s3-store.js';

/**
 * One build at a time per S3 lake: a lock object the build state machine and `creditlake build --target athena`
 * both take before touching marts. Taken with S3 conditional writes (If-None-Match: * creates it only if
 * absent; If-Match: <etag> takes over an expired one only if nobody else did first), so two builders
 * cannot both win. The holder renews it; a holder that died leaves it to expire.
 */
export const BUILD_LOCK_KEY = 'marts/_build.lock';

export interface LockInfo {
  owner: string;
  acquired_at: string;
  expires_at: string;
}

export interface HeldLock {
  info: LockInfo;
  /** Pushes the expiry on (call at least once per ttl). */
  renew(): Promise<void>;
  release(): Promise<void>;
}

/** The lock passed to another builder (ours expired): this build must stop without publishing. */
export class LockLostError extends Error {
  override name = 'LockLost';
}

export type AcquireResult = { acquired: true; lock: HeldLock } | { acquired: false; holder: LockInfo };

const status = (e: unknown) => (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
/** 412: the condition failed (someone else holds or changed it); 409: a concurrent conditional write is in flight. */
const lostRace = (e: unknown) => status(e) === 412 || status(e) === 409 || (e as { name?: string }).name === 'PreconditionFailed';

export class BuildLock {
  constructor(
    private readonly store: Pick<S3LakeStore, 'client' | 'bucket' | 'objectKey'>,
    private readonly opts: { ttlMs?: number; now?: () => number } = {},
  ) {}

  private get key() {
    return this.store.objectKey(BUILD_LOCK_KEY);
  }

  private info(owner: string, acquiredAt?: string): LockInfo {
    const now = (this.opts.now ?? Date.now)();
    return { owner, acquired_at: acquiredAt ?? new Date(now).toISOString(), expires_at: new Date(now + (this.opts.ttlMs ?? 15 * 60_000)).toISOString() };
  }

  private async put(info: LockInfo, cond: { IfNoneMatch?: string; IfMatch?: string }): Promise<string | undefined> {
    const r = await this.store.client.send(
      new PutObjectCommand({ Bucket: this.store.bucket, Key: this.key, Body: `${JSON.stringify(info)}\n`, ContentType: 'application/json', ...cond }),
    );
    return r.ETag;
  }

  /** The current holder and the lock object's version, or undefined when free. */
  async current(): Promise<{ info: LockInfo; etag: string } | undefined> {
    try {
      const r = await this.store.client.send(new GetObjectCommand({ Bucket: this.store.bucket, Key: this.key }));
      return { info: JSON.parse(await r.Body!.transformToString()) as LockInfo, etag: r.ETag! };
    } catch (e) {
      if (status(e) === 404 || (e as { name?: string }).name === 'NoSuchKey') return undefined;
      throw e;
    }
  }

  /**
   * Takes the lock for `owner`. `alive` may tell whether a holder still runs (a state machine
   * execution: RUNNING or not): true keeps its lock even past expiry, false frees it at once,
   * undefined leaves it to the expiry.
   */
  async acquire(owner: string, alive?: (holder: LockInfo) => Promise<boolean | undefined>): Promise<AcquireResult> {
    let info = this.info(owner);
    try {
      return { acquired: true, lock: this.held(info, await this.put(info, { IfNoneMatch: '*' })) };
    } catch (e) {
      if (!lostRace(e)) throw e;
    }
    const cur = await this.current();
    if (!cur) return this.acquire(owner, alive);
    const now = (this.opts.now ?? Date.now)();
    const running = alive ? await alive(cur.info) : undefined;
    if (running === true || (running === undefined && Date.parse(cur.info.expires_at) > now)) return { acquired: false, holder: cur.info };
    // The holder stopped renewing (a killed build): take over, unless another builder just did.
    info = this.info(owner);
    try {
      return { acquired: true, lock: this.held(info, await this.put(info, { IfMatch: cur.etag })) };
    } catch (e) {
      if (!lostRace(e)) throw e;
      const winner = await this.current();
      return winner ? { acquired: false, holder: winner.info } : this.acquire(owner, alive);
    }
  }

  /**
   * Renews the lock for `owner` from another process than the one that took it (each step of a state
   * machine execution); throws {@link LockLostError} when someone else holds it now.
   */
  async renewAs(owner: string): Promise<void> {
    const cur = await this.current();
    if (!cur || cur.info.owner !== owner) throw new LockLostError(`the build lock is no longer held by ${owner}${cur ? ` (now ${cur.info.owner})` : ''}`);
    // Steps run in parallel: one renewal per half ttl is enough, and fewer writes race less.
    const ttl = this.opts.ttlMs ?? 15 * 60_000;
    if (Date.parse(cur.info.expires_at) - (this.opts.now ?? Date.now)() > ttl / 2) return;
    try {
      await this.put(this.info(owner, cur.info.acquired_at), { IfMatch: cur.etag });
    } catch (e) {
      if (!lostRace(e)) throw e;
      // Another step of the same build may have renewed it first; anyone else has taken it.
      const now = await this.current();
      if (now?.info.owner !== owner) throw new LockLostError(`the build lock changed hands while ${owner} renewed it`);
    }
  }

  /** Releases the lock if `owner` holds it (any process of that owner). */
  async releaseAs(owner: string): Promise<void> {
    const cur = await this.current();
    if (cur?.info.owner === owner) await this.store.client.send(new DeleteObjectCommand({ Bucket: this.store.bucket, Key: this.key }));
  }

  private held(info: LockInfo, etag: string | undefined): HeldLock {
    let current = { info, etag };
    return {
      get info() {
        return current.info;
      },
      renew: async () => {
        const next = this.info(info.owner, info.acquired_at);
        current = { info: next, etag: await this.put(next, current.etag ? { IfMatch: current.etag } : {}) };
      },
      release: async () => {
        // Only our own lock: after an expiry another builder may hold it now.
        const cur = await this.current();
        if (cur && cur.info.owner === info.owner && cur.info.acquired_at === info.acquired_at) {
          await this.store.client.send(new DeleteObjectCommand({ Bucket: this.store.bucket, Key: this.key }));
        }
      },
    };
  }
}

/** Renews a held lock every third of its ttl until stopped. */
export function keepRenewed(lock: HeldLock, ttlMs: number, onError: (e: Error) => void = () => undefined): () => void {
  const timer = setInterval(() => lock.renew().catch(onError), Math.max(1000, Math.floor(ttlMs / 3)));
  timer.unref();
  return () => clearInterval(timer);
}
