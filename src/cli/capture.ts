import { Writable } from 'node:stream';

/** A writable that keeps what was written (a command run in-process whose output is logged or filed). */
export function sink(): { stream: Writable; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk, _enc, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}
