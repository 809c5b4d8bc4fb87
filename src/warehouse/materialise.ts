
export class BuildError extends Error {}

export function sqlPath(path: string): string {
  return `'${path.replace(/\\/g, '/').replace(/'/g, "''")}'`;
}

