import type { Encoding } from './sniff.js';

/**
 * Text back to the bytes of the encoding a file was read in, the inverse of sniff.ts's decoderFor,
 * so lines written back (`rejects --export`) are in the encoding the mapping expects. WHATWG decodes
 * both `windows-1252` and `latin1` (iso-8859-1) as windows-1252: both encode by that table. A
 * character the encoding lacks (one typed in while correcting) is an error naming it, never a `?`.
 */

// stream: true: Node 20's one-shot decode of windows-1252 takes a latin1 fast path (0x80 → U+0080, not €).
const WINDOWS_1252_HIGH = new TextDecoder('windows-1252').decode(Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i), { stream: true });
const TO_1252 = new Map<number, number>([...WINDOWS_1252_HIGH].map((ch, i) => [ch.codePointAt(0)!, 0x80 + i]));

export class UnencodableError extends Error {}

export function encodeText(text: string, encoding: Encoding, bom = false): Buffer {
  switch (encoding) {
    case 'utf-8':
      return Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
    case 'utf-16le':
      return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
    case 'utf-16be': {
      const le = Buffer.from(text, 'utf16le');
      return Buffer.concat([bom ? Buffer.from([0xfe, 0xff]) : Buffer.alloc(0), le.swap16()]);
    }
    case 'windows-1252':
    case 'latin1': {
      const out = Buffer.alloc(text.length);
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const b = c < 0x80 || (c >= 0xa0 && c <= 0xff) ? c : TO_1252.get(c);
        if (b === undefined) throw new UnencodableError(`"${text[i]}" (U+${c.toString(16).toUpperCase().padStart(4, '0')}) cannot be written in ${encoding}`);
        out[i] = b;
      }
      return out;
    }
  }
}
