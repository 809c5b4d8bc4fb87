import { pct } from '../../feeds/ingest-files.js';

interface FileOutcome {
  file: string;
  status: string;
  rejectRate: number;
  failed: boolean;
}

/**
 * The closing stderr line of an ingest, or undefined when no file failed. It says why each file
 * failed: a file that could not be read (missing sheet, no header) has nothing to do with the
 * reject-rate limit, and naming the limit for it sends the user looking in the wrong place.
 */
export function failureLine(files: FileOutcome[], maxRejectRate: number): string | undefined {
  const bad = files.filter((f) => f.failed);
  if (bad.length === 0) return undefined;
  const why = (f: FileOutcome) =>
    f.status === 'error' ? 'unreadable' : `reject rate ${pct(f.rejectRate)} over the limit ${pct(maxRejectRate)}`;
  return `creditlake ingest: ${bad.length} file(s) failed: ${bad.map((f) => `${f.file} (${why(f)})`).join(', ')}`;
}
