/**
 * Headers across the CDN edge. Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are
 * never passed on; neither is the viewer's Host (the origin gets its own address, as CloudFront sends
 * the origin's domain by default), nor Content-Length and Expect (the edge sends the body whole).
 */
type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'expect', 'content-length']);
/** Set by the edge itself on every answer. */
const EDGE_SET = new Set(['age', 'x-cache', 'via']);

/** Names listed in a Connection header are hop-by-hop for that message too. */
function connectionTokens(value: string | readonly string[] | undefined): Set<string> {
  const text = typeof value === 'string' ? value : value === undefined ? '' : value.join(',');
  return new Set(text.split(',').map((token) => token.trim().toLowerCase()).filter((token) => token !== ''));
}

/** The viewer's request headers for the origin, as a flat name/value list (repeated headers kept). */
export function originRequestHeaders(rawHeaders: readonly string[], connection: string | undefined, via: string, clientAddress: string | undefined): string[] {
  const dropped = connectionTokens(connection);
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    const lower = name.toLowerCase();
    if (NOT_FORWARDED.has(lower) || dropped.has(lower)) continue;
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? rawHeaders[index + 1]! : `${forwardedFor}, ${rawHeaders[index + 1]!}`;
      continue;
    }
    headers.push(name, rawHeaders[index + 1]!);
  }
  if (clientAddress !== undefined) forwardedFor = forwardedFor === undefined ? clientAddress : `${forwardedFor}, ${clientAddress}`;
  if (forwardedFor !== undefined) headers.push('x-forwarded-for', forwardedFor);
  headers.push('via', via);
  return headers;
}

/** The origin's response headers the viewer (and the cache) may keep. */
export function viewerResponseHeaders(headers: HeaderRecord): Record<string, string | readonly string[]> {
  const dropped = connectionTokens(headers.connection);
  const kept: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || EDGE_SET.has(name) || dropped.has(name)) continue;
    kept[name] = value;
  }
  return kept;
}
