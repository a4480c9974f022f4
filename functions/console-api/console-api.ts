/**
 * The console API behind API Gateway (REST, Lambda proxy, Cognito user pool authorizer): parse the event, call the
 * shared console API (shared/console/api.ts), map the result. The caller's identity comes from the authorizer's
 * claims; an event without them is refused (defence in depth: API Gateway already requires the token).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { ConsoleRequest, ConsoleResponse } from '../../shared/console/api.js';

export type ConsoleApi = (request: ConsoleRequest) => Promise<ConsoleResponse>;

/** On every answer. The static site's headers are CloudFront's (infra/constructs/console.ts). */
export const API_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

const MAX_BODY = 16 * 1024;

function result(response: ConsoleResponse): APIGatewayProxyResult {
  const headers: Record<string, string> = {
    ...API_HEADERS,
    'Content-Type': response.contentType ?? 'application/json; charset=utf-8',
  };
  if (response.filename) headers['Content-Disposition'] = `attachment; filename="${response.filename}"`;
  return {
    statusCode: response.status,
    headers,
    body: typeof response.body === 'string' ? response.body : JSON.stringify(response.body),
  };
}

const error = (status: number, message: string) => result({ status, body: { error: message } });

/** Who is calling, from the Cognito claims: `console:<username>` (or e-mail, or subject). */
export function actorOf(event: APIGatewayProxyEvent): string | undefined {
  const claims = (event.requestContext?.authorizer as { claims?: Record<string, unknown> } | null | undefined)?.claims;
  if (!claims) return undefined;
  const name = [claims['cognito:username'], claims.email, claims.sub].find(
    (v): v is string => typeof v === 'string' && v.length > 0,
  );
  return name ? `console:${name.slice(0, 128)}` : undefined;
}

function queryOf(event: APIGatewayProxyEvent): URLSearchParams {
  const query = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [name, values] of Object.entries(multi)) for (const v of values ?? []) query.append(name, v);
  } else {
    for (const [name, v] of Object.entries(event.queryStringParameters ?? {}))
      if (v !== undefined) query.append(name, v);
  }
  return query;
}

export function createConsoleApiHandler(
  api: ConsoleApi,
  onError: (error: unknown, event: APIGatewayProxyEvent) => void = () => undefined,
): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return async (event) => {
    const actor = actorOf(event);
    if (!actor) return error(401, 'sign in to the console');
    const method = event.httpMethod.toUpperCase();
    let body: unknown;
    if (method === 'POST') {
      const type = Object.entries(event.headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
      if (!/^application\/json\b/i.test(type)) return error(415, 'send JSON');
      const text = event.body
        ? event.isBase64Encoded
          ? Buffer.from(event.body, 'base64').toString('utf8')
          : event.body
        : '';
      if (text.length > MAX_BODY) return error(413, 'the body must be at most 16 KiB');
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return error(400, 'the body must be JSON');
      }
    }
    try {
      return result(await api({ method, path: event.path, query: queryOf(event), body, actor }));
    } catch (caught: unknown) {
      // The analyst gets a plain 500 with the security headers; the error and the request go to the log.
      onError(caught, event);
      return error(500, 'internal error');
    }
  };
}
