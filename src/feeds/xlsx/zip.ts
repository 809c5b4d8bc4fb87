import yauzl from 'yauzl';
import type { Readable } from 'node:stream';

/** Promise wrappers over yauzl: list the entries of a zip, then stream any of them (xlsx is a zip). */

export interface ZipArchive {
  entries: Map<string, yauzl.Entry>;
  stream(name: string): Promise<Readable>;
  readText(name: string, maxBytes: number): Promise<string | undefined>;
  close(): void;
}

export class XlsxError extends Error {}

export function openZip(path: string, maxEntries = 10_000): Promise<ZipArchive> {
  return new Promise((resolveZip, reject) => {
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) {
        reject(new XlsxError(`not an xlsx workbook (not a zip file): ${err?.message ?? 'unreadable'}`));
        return;
      }
      const entries = new Map<string, yauzl.Entry>();
      if (zip.entryCount > maxEntries) {
        zip.close();
        reject(new XlsxError(`the workbook has ${zip.entryCount} parts, over the limit of ${maxEntries}`));
        return;
      }
      zip.on('entry', (e: yauzl.Entry) => {
        entries.set(e.fileName, e);
        zip.readEntry();
      });
      zip.on('error', (e: Error) => reject(new XlsxError(`broken xlsx: ${e.message}`)));
      zip.on('end', () => {
        const archive: ZipArchive = {
          entries,
          stream: (name) =>
            new Promise((res, rej) => {
              const entry = entries.get(name);
              if (!entry) return rej(new XlsxError(`workbook part ${name} is missing`));
              zip.openReadStream(entry, (e, s) => (e || !s ? rej(new XlsxError(`cannot read ${name}: ${e?.message}`)) : res(s)));
            }),
          readText: async (name, maxBytes) => {
            const entry = entries.get(name);
            if (!entry) return undefined;
            if (entry.uncompressedSize > maxBytes) throw new XlsxError(`workbook part ${name} is ${entry.uncompressedSize} bytes, over the limit of ${maxBytes}`);
            const chunks: Buffer[] = [];
            let size = 0;
            for await (const c of await archive.stream(name)) {
              size += (c as Buffer).length;
              // The declared size can lie (zip bomb): count what actually comes out.
              if (size > maxBytes) throw new XlsxError(`workbook part ${name} is over the limit of ${maxBytes} bytes`);
              chunks.push(c as Buffer);
            }
            return Buffer.concat(chunks).toString('utf8');
          },
          close: () => zip.close(),
        };
        resolveZip(archive);
      });
      zip.readEntry();
    });
  });
}
