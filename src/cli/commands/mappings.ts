import { EXIT, line, type CliIO, type Command } from '../command.js';
import { parse } from '../options.js';
import { listPresets, PRESET_DIR } from '../../feeds/mapping/load.js';
import { printJson } from '../json-output.js';

const usage = `Usage: creditlake mappings [--json]

Lists the mapping presets shipped for ERP exports, usable as \`creditlake ingest --mapping <name> <file…>\`.
A preset is a JSON file in ${PRESET_DIR}; copy one and pass its path to --mapping to adapt it.`;

export const mappingsCommand: Command = {
  name: 'mappings',
  usage,
  async run(argv: string[], io: CliIO): Promise<number> {
    const { values } = parse(argv, {});
    const presets = listPresets().map((m) => ({
      name: m.name,
      description: m.description,
      format: m.source.format,
      tables: Object.keys(m.tables),
      delimiter: m.source.delimiter,
      encoding: m.source.encoding,
      date_format: m.source.date_format,
      decimal: m.source.decimal,
    }));
    if (values.json) {
      printJson(io, presets);
      return EXIT.OK;
    }
    const width = Math.max(...presets.map((p) => p.name.length));
    for (const p of presets) {
      line(io.stdout, `${p.name.padEnd(width)}  ${p.description}`);
      line(io.stdout, `${''.padEnd(width)}  → ${p.tables.join(', ')} (${p.format}, dates ${p.date_format}, decimal ${p.decimal})`);
    }
    return EXIT.OK;
  },
};
