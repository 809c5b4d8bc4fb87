/**
 * The dashboard API Lambda (functions/dashboard-api.ts) over a mocked Athena client: valid requests run
 * the slice's parameterised statement with ExecutionParameters and return its JSON; hostile parameters
 * get 400 before any Athena call; answers are reused until the build marker changes.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type StartQueryExecutionCommandInput,
} from '@aws-sdk/client-athena';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildKeyedEngine, createHandler } from '../../functions/dashboard-api.js';
import { athenaCatalogSnapshot } from '../../src/aws/catalog-snapshot.js';
import { BUILD_MARKER_KEY, readBuildId, writeBuildMarker } from '../../src/lake/build-marker.js';
import { S3LakeStore } from '../../src/lake/s3-store.js';
import { parseS3Uri } from '../../src/lake/s3-uri.js';
import { startTestS3 } from '../support/s3-server.js';
import { AthenaEngine } from '../../src/warehouse/athena/athena-engine.js';

const athena = mockClient(AthenaClient);
let started: StartQueryExecutionCommandInput[];

/** The warehouse the fake Athena holds: dso_monthly grouped by segment, ar_aging for the as-of dates. */
const COLUMNS: Record<string, string[]> = {
  ar_aging: ['as_of_date', 'group_by', 'group_value', 'bucket', 'open_amount', 'open_count'],
  dso_monthly: ['month', 'group_by', 'group_value', 'dso', 'bpdso', 'avg_days_delinquent', 'cei', 'pct_current', 'ar_end'],
};
const DSO_ROWS = [
  ['2024-05-01', '41.5', '38.25', '3.2', '88.1', '79.5', '40.1'],
  ['2024-06-01', '43.0', '39.0', '4.0', '86.0', '77.0', '41.2'],
];

type Cell = string | null;
function resultSet(columns: [string, string][], rows: Cell[][]) {
  const header = { Data: columns.map(([n]) => ({ VarCharValue: n })) };
  return {
    ResultSet: {
      ResultSetMetadata: { ColumnInfo: columns.map(([Name, Type]) => ({ Name, Type })) },
      Rows: [header, ...rows.map((r) => ({ Data: r.map((v) => (v === null ? {} : { VarCharValue: v })) }))],
    },
  };
}

function answer(sql: string) {
  if (sql.includes('information_schema.columns')) {
    const rows = Object.entries(COLUMNS).flatMap(([t, cs]) => cs.map((c) => [t, c]));
    return resultSet([['table_name', 'varchar'], ['column_name', 'varchar']], rows);
  }
  if (sql.includes('AS d FROM ar_aging')) return resultSet([['v', 'varchar']], [['2024-05-31'], ['2024-06-30']]);
  if (sql.includes("group_by = 'segment'")) return resultSet([['v', 'varchar']], [['ALL'], ['SME'], ['Enterprise']]);
  if (sql.includes("group_by = 'country'")) return resultSet([['v', 'varchar']], [['NL']]);
  if (sql.includes('FROM dso_monthly')) {
    return resultSet(
      [['month', 'varchar'], ['dso', 'double'], ['dso_rolling_3m', 'double'], ['bpdso', 'double'], ['avg_days_delinquent', 'double'], ['cei', 'double'], ['pct_current', 'double']],
      DSO_ROWS.map(([m, dso, bpdso, add, cei, pct]) => [m!, dso!, dso!, bpdso!, add!, cei!, pct!]),
    );
  }
  return resultSet([['v', 'varchar']], []);
}

beforeEach(() => {
  started = [];
  athena.on(StartQueryExecutionCommand).callsFake(async (input: StartQueryExecutionCommandInput) => {
    started.push(input);
    return { QueryExecutionId: `q${started.length}` };
  });
  athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' }, StatementType: 'DML' } });
  athena.on(GetQueryResultsCommand).callsFake(async (input: { QueryExecutionId: string }) => {
    const n = Number(input.QueryExecutionId.slice(1));
    return answer(started[n - 1]!.QueryString!);
  });
});
afterEach(() => athena.reset());

function handler(opts: { buildId?: () => Promise<string | undefined>; now?: () => number } = {}) {
  const engine = new AthenaEngine({
    client: new AthenaClient({ region: 'eu-west-1' }),
    workgroup: 'creditlake',
    database: 'creditlake_db',
    sleep: async () => {},
  });
  return createHandler({ athena: engine, buildId: opts.buildId ?? (async () => 'build-1'), now: opts.now });
}

function event(path: string, query = '', method = 'GET'): APIGatewayProxyEventV2 {
  return { rawPath: path, rawQueryString: query, requestContext: { http: { method } } } as unknown as APIGatewayProxyEventV2;
}

async function call(h: ReturnType<typeof handler>, path: string, query = '', method = 'GET') {
  const res = (await h(event(path, query, method))) as APIGatewayProxyStructuredResultV2;
  return { status: res.statusCode, body: JSON.parse(String(res.body)) as Record<string, unknown> };
}

const sliceStatements = () => started.filter((s) => s.QueryString!.includes('FROM dso_monthly'));

describe('dashboard API Lambda on Athena', () => {
  it('runs the slice as a parameterised statement with ExecutionParameters and returns its rows', async () => {
    const h = handler();
    const res = await call(h, '/api/slices/dso_trend', 'as_of=2024-06-30&period=3m&segment=SME');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', slice: 'dso_trend', data_as_of: '2024-06-30' });
    expect(res.body.rows).toEqual([
      { month: '2024-05-01', dso: 41.5, dso_rolling_3m: 41.5, bpdso: 38.25, avg_days_delinquent: 3.2, cei: 88.1, pct_current: 79.5 },
      { month: '2024-06-01', dso: 43, dso_rolling_3m: 43, bpdso: 39, avg_days_delinquent: 4, cei: 86, pct_current: 77 },
    ]);
    const [stmt] = sliceStatements();
    expect(stmt).toBeDefined();
    expect(stmt!.QueryString).toMatch(/group_by = \? AND group_value = \?/);
    expect(stmt!.QueryString).not.toMatch(/SME|2024-|\$/);
    expect(stmt!.ExecutionParameters).toEqual(["'segment'", "'SME'", "'2024-06-30'", "'2024-04-01'"]);
    expect(stmt).toMatchObject({ WorkGroup: 'creditlake', QueryExecutionContext: { Database: 'creditlake_db' } });
    // The catalog lists the Glue database's tables, the schema bound too.
    const catalogStmt = started.find((s) => s.QueryString!.includes('information_schema.columns'))!;
    expect(catalogStmt.ExecutionParameters).toEqual(["'creditlake_db'"]);
  });

  it('answers a repeated request from memory until the build marker changes', async () => {
    let build = 'build-1';
    let clock = 0;
    const h = handler({ buildId: async () => build, now: () => clock });
    await call(h, '/api/slices/dso_trend', 'period=3m');
    const after1 = started.length;
    expect(sliceStatements()).toHaveLength(1);
    clock += 60_000;
    const again = await call(h, '/api/slices/dso_trend', 'period=3m');
    expect(again.status).toBe(200);
    expect(started.length).toBe(after1);
    build = 'build-2';
    clock += 60_000;
    await call(h, '/api/slices/dso_trend', 'period=3m');
    expect(sliceStatements()).toHaveLength(2);
    expect(started.length).toBeGreaterThan(after1 + 1);
  });

  it.each([
    ['SQL in a date', 'as_of=2024-06-30%27%20OR%201%3D1--'],
    ['SQL in a period', 'period=12m%3B%20DROP%20TABLE%20dso_monthly'],
    ['a quote in a segment', "segment=%27%20OR%20%27a%27%3D%27a"],
    ['an impossible date', 'as_of=2024-02-30'],
    ['an unknown field', 'period=3m&where=1%3D1'],
    ['a huge value', `segment=${'A'.repeat(5000)}`],
    ['a repeated key', 'period=3m&period=6m'],
    ['too many parameters', Array.from({ length: 20 }, (_, i) => `p${i}=1`).join('&')],
  ])('refuses %s with 400 before any Athena call', async (_what, query) => {
    const h = handler();
    const res = await call(h, '/api/slices/dso_trend', query);
    expect(res.status).toBe(400);
    expect(String(res.body.error).length).toBeGreaterThan(5);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });

  it('refuses a well-formed value that is not in the data without running the slice', async () => {
    const h = handler();
    const res = await call(h, '/api/slices/dso_trend', 'segment=SME%20OR%20x');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/segment "SME OR x" is not in the data/);
    expect(sliceStatements()).toHaveLength(0);
    expect(started.every((s) => !JSON.stringify(s).includes('SME OR x'))).toBe(true);
  });

  it('is read-only and exposes only the named slices', async () => {
    const h = handler();
    expect((await call(h, '/api/slices/dso_trend', '', 'POST')).status).toBe(405);
    expect((await call(h, '/api/slices/drop_table', '')).status).toBe(404);
    expect((await call(h, '/api/../warehouse', '')).status).toBe(404);
    expect(athena.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
  });
});

describe('answers per build', () => {
  it('keeps answers and the catalog past the local TTLs while the build is the same', async () => {
    const h = handler();
    await call(h, '/api/slices/dso_trend', 'period=6m');
    const n = started.length;
    const real = Date.now();
    const spy = vi.spyOn(Date, 'now').mockReturnValue(real + 3 * 3600_000);
    try {
      expect((await call(h, '/api/slices/dso_trend', 'period=6m')).status).toBe(200);
    } finally {
      spy.mockRestore();
    }
    // Only the marker was read again; no Athena statement.
    expect(started.length).toBe(n);
  });

  it('without a marker renews the engine after its TTL; an unreadable marker keeps the current one', async () => {
    let clock = 0;
    let fail = false;
    const get = buildKeyedEngine({
      athena: { database: 'db' } as never,
      buildId: async () => {
        if (fail) throw new Error('s3 down');
        return undefined;
      },
      now: () => clock,
      markerCheckMs: 1000,
      noMarkerTtlMs: 60_000,
    });
    const first = await get();
    clock = 30_000;
    expect(await get()).toBe(first);
    clock = 61_000;
    const second = await get();
    expect(second).not.toBe(first);
    fail = true;
    clock = 200_000;
    expect(await get()).toBe(second);
  });

  it('the model runner writes the marker the API reads (real S3 protocol)', async () => {
    const s3 = await startTestS3();
    try {
      await s3.createBucket('lake');
      const store = new S3LakeStore(s3.client, parseS3Uri('s3://lake/prefix/'));
      expect(await readBuildId(store)).toBeUndefined();
      const a = await writeBuildMarker(store, { finished_at: 'x', ok: true, models: 3 }, new Date('2026-01-01T00:00:00Z'));
      expect(await readBuildId(store)).toBe(a.build_id);
      const b = await writeBuildMarker(store, { finished_at: 'y', ok: true, models: 3 }, new Date('2026-01-02T00:00:00Z'));
      expect(b.build_id).not.toBe(a.build_id);
      expect(await readBuildId(store)).toBe(b.build_id);
      expect(await store.exists(BUILD_MARKER_KEY)).toBe(true);
      expect(BUILD_MARKER_KEY.startsWith('marts/_')).toBe(true);
    } finally {
      await s3.close();
    }
  });
});

describe('catalog from the build marker', () => {
  it('the build records the catalog it computed; a cold API answers from it with one Athena statement (the slice), no information_schema', async () => {
    const engine = new AthenaEngine({ client: new AthenaClient({ region: 'eu-west-1' }), workgroup: 'creditlake', database: 'creditlake_db', sleep: async () => {} });
    // What the build does after its marts: the same catalog queries, once.
    const snapshot = await athenaCatalogSnapshot(engine);
    expect(snapshot.values.segment).toEqual(['ALL', 'SME', 'Enterprise']);
    expect(snapshot.tables.dso_monthly).toContain('dso');
    started = [];

    const h = createHandler({ athena: engine, buildMarker: async () => ({ build_id: 'build-7', catalog: JSON.parse(JSON.stringify(snapshot)) }) });
    const res = await call(h, '/api/slices/dso_trend', 'as_of=2024-06-30&period=3m&segment=SME');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', data_as_of: '2024-06-30' });
    expect(started.map((s) => s.QueryString!.includes('FROM dso_monthly'))).toEqual([true]);
    // Allow-lists come from the recorded catalog too: an unknown segment is refused without any query.
    expect((await call(h, '/api/slices/dso_trend', 'segment=Nope')).status).toBe(400);
    expect(started).toHaveLength(1);
  });

  it('a marker without a usable catalog falls back to querying it', async () => {
    const engine = new AthenaEngine({ client: new AthenaClient({ region: 'eu-west-1' }), workgroup: 'creditlake', database: 'creditlake_db', sleep: async () => {} });
    const h = createHandler({ athena: engine, buildMarker: async () => ({ build_id: 'build-8', catalog: { tables: 'garbage' } }) });
    expect((await call(h, '/api/slices/dso_trend', 'period=3m')).status).toBe(200);
    expect(started.some((s) => s.QueryString!.includes('information_schema.columns'))).toBe(true);
  });
});
