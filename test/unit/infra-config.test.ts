/**
 * The project config on AWS: creditlake.config.json is validated at synth by the same zod schema as
 * the CLI (an invalid one fails the synth naming the field), and reaches the build and dashboard
 * functions as CREDITLAKE_CONFIG; the ingest gets the reject limit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.js';
import { loadDeployedConfig } from '../../infra/project-config.js';
import { parseConfig } from '../../src/config/config.js';

const dir = mkdtempSync(join(tmpdir(), 'creditlake-infra-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, body: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof body === 'string' ? body : JSON.stringify(body));
  return p;
};
const env = { account: '123456789012', region: 'us-east-1' };

describe('config at synth', () => {
  it('an invalid config fails the synth with the file and field path', () => {
    const bad = file('bad.json', { aging: { bucket_edges: [30, 14] }, dso: { method: 'median' } });
    expect(() => buildApp({ context: { 'creditlake:lambdaCode': 'placeholder', 'creditlake:configFile': bad }, env })).toThrow(
      /invalid config .*bad\.json:\n {2}aging\.bucket_edges: bucket_edges must be strictly increasing\n {2}dso\.method:/,
    );
    expect(() => loadDeployedConfig(file('broken.json', '{"aging": '))).toThrow(/broken\.json: not valid JSON/);
    expect(() => loadDeployedConfig(join(dir, 'missing.json'))).toThrow(/config file not found: .*missing\.json/);
  });

  it('deploys the file as written, without the local lake, and refuses one too large for a Lambda environment', () => {
    const p = file('ok.json', { lake: './lake', $schema: 'x', aging: { bucket_edges: [30, 60, 120] }, reporting_currency: 'USD' });
    const d = loadDeployedConfig(p);
    expect(JSON.parse(d.json)).toEqual({ aging: { bucket_edges: [30, 60, 120] }, reporting_currency: 'USD' });
    expect(d.config.aging.bucket_edges).toEqual([30, 60, 120]);
    // What the functions parse back is the validated config.
    expect(parseConfig({ ...JSON.parse(d.json), lake: 's3://x/' }).reporting_currency).toBe('USD');
    expect(() => loadDeployedConfig(p, undefined, 40)).toThrow(/ok\.json is \d+ bytes without whitespace; Lambda environments hold 40 for it: leave defaults out/);
  });

  it('hands the config to the build, dashboard and ingest functions and the reject limit to the ingest', () => {
    const p = file('deploy.json', { dso: { method: 'countback' } });
    const { stack } = buildApp({ context: { 'creditlake:lambdaCode': 'placeholder', 'creditlake:configFile': p, 'creditlake:ingestMaxRejectRate': '0.02' }, env });
    const fns = Object.entries(Template.fromStack(stack).toJSON().Resources as Record<string, { Type: string; Properties: any }>).filter(([, r]) => r.Type === 'AWS::Lambda::Function');
    const envOf = (prefix: string) => fns.find(([id]) => id.startsWith(prefix))![1].Properties.Environment.Variables;
    expect(JSON.parse(envOf('PipelineBuildStep').CREDITLAKE_CONFIG)).toEqual({ dso: { method: 'countback' } });
    expect(JSON.parse(envOf('DashboardApiFunction').CREDITLAKE_CONFIG)).toEqual({ dso: { method: 'countback' } });
    expect(envOf('PipelineIngest').MAX_REJECT_RATE).toBe('0.02');
    expect(JSON.parse(envOf('PipelineIngest').CREDITLAKE_CONFIG)).toEqual({ dso: { method: 'countback' } });
    expect(stack.projectConfig.path).toBe(p);
  });
});
