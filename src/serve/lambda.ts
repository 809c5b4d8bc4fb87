import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import type { WarehouseEngine } from '../warehouse/engine.js';
import { handleApiRequest } from './api.js';
import type { RawQuery } from './params.js';
import type { DashboardSettings } from './settings.js';

/**
 * The dashboard API as an API Gateway (HTTP API, payload 2.0) Lambda handler: the same slices and
 * validation as `creditlake serve`, over whichever engine the function opens (Athena on AWS).
 * Read-only: anything but GET is refused before an engine is touched.
 */
export function createDashboardApiHandler(opts: { engine: () => Promise<WarehouseEngine>; settings?: DashboardSettings }) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyResultV2> => {
    if (event.requestContext.http.method !== 'GET') {
      return { statusCode: 405, headers: { allow: 'GET', 'content-type': 'application/json' }, body: JSON.stringify({ error: 'read-only: only GET is allowed' }) };
    }
    // Payload 2.0 joins repeated keys with commas; the raw query string keeps them apart.
    const query: RawQuery = Object.create(null) as RawQuery;
    for (const [k, v] of new URLSearchParams(event.rawQueryString ?? '')) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
    const res = await handleApiRequest(event.rawPath, query, await opts.engine(), {
      settings: opts.settings,
      log: (m) => console.error(m),
    });
    return { statusCode: res.status, headers: res.headers, body: res.body, isBase64Encoded: res.base64 ?? false };
  };
}
