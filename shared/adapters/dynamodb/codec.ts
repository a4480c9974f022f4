/**
 * How a document's JSON is stored. Write units are charged per started kilobyte of item, so a document just over
 * 1 KB costs twice what it would just under: documents above a threshold are deflate-compressed with a preset
 * dictionary of the words Lantern's documents are made of (their field names), which roughly halves small JSON
 * documents where plain deflate has too little text to learn from.
 *
 * A dictionary never changes once items are written with it: a better one is a new codec number, and items
 * name the codec they were written with (attribute `c`), so every item stays readable.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { StoreError } from '../../ports/store.js';

/**
 * Codec 1's dictionary: a sample of each document kind (an entity with its per-endpoint baseline, an endpoint with
 * its sketches and callers, the run ledger, a finding). The most frequent words come last, as zlib prefers.
 * Tuned on the documents of November 2026; correctness never depends on it, only the size does.
 */
const DICTIONARY_1 = Buffer.from(
  [
    '{"id":"credential-stuffing ip: api.example.com POST /v1/login","type":"volumetric-abuse","severity":"medium","confidence":0.5,',
    '"entity":{"type":"ip","id":"10.0.0.1"},"endpoint":{"host":"api.example.com","method":"GET","path":"/v1/"},',
    '"evidence":{"requestsPer10Min":{"observed":,"baseline":,"threshold":},"peerP99":,"rejected429":0},"summary":"","status":"open","revision":1}',
    '{"records":,"analysed":,"rejected":0,"byReason":{},"samples":[],"controlMessages":0,"from":,"to":,',
    '{"host":"api.example.com","method":"GET","path":"/v1/","requests":,"firstSeen":,"lastSeen":,"statusCounts":{"2xx":,"4xx":,"5xx":},',
    '"statuses":{"401":,"403":,"404":,"429":},"authenticated":,"sources":{"cloudfront-realtime":,"apigw":},',
    '"latencyMs":{"b":{"1":1,"2":2,"3":3},"z":0,"n":},"bytesOut":{"b":{"100":1,"101":2,"102":3},"z":0,"n":},',
    '"callers":{"ip:10.0.0.1":1,"ip:10.0.0.2":2,"api-key:":1,"principal:":1,"session:":1},',
    '{"type":"ip","id":"10.0.0.1","requests":,"firstSeen":,"lastSeen":,"risk":0,"statusCounts":{"200":,"401":,"403":,"404":},',
    '"links":{"ips":[],"apiKeys":[],"principals":[]},"userAgents":["Mozilla/5.0"],',
    '"baseline":{"window":,"current":{"requests":,"notFound":0,"paths":{"h":[]}},"ips":{},"asns":{},"countries":{},"countrySwitches":[],',
    '"endpoints":{"api.example.com GET /v1/":{"firstSeen":,"lastSeen":,"window":,',
    '"current":{"requests":1,"bytes":,"ok":1,"denied":0,"notFound":0,"unauthenticatedOk":1,"objects":0},"objectIds":{"h":[]},',
    '"own":{"requests":0,"bytes":0,"objects":0,"windows":0},"total":{"requests":1,"ok":1,"denied":0,"notFound":0,"unauthenticatedOk":1},',
    '"sample":{"hour":,"requests":1,"bytes":,"objects":0}},',
    '"applied":{"shardId-000000000000":"49680523900769021141662984200285673199460967737"}}',
  ].join(''),
  'utf8',
);

export const CURRENT_CODEC = 1;

/** Deflate without dictionary (codec 0: items written before codecs had numbers). */
export function compress(json: string, codec = CURRENT_CODEC): Buffer {
  const input = Buffer.from(json, 'utf8');
  return codec === 0 ? deflateRawSync(input) : deflateRawSync(input, { dictionary: dictionary(codec) });
}

export function decompress(bytes: Uint8Array, codec: number): string {
  return (codec === 0 ? inflateRawSync(bytes) : inflateRawSync(bytes, { dictionary: dictionary(codec) })).toString(
    'utf8',
  );
}

function dictionary(codec: number): Buffer {
  if (codec === 1) return DICTIONARY_1;
  throw new StoreError(`unknown document codec ${codec}: written by a newer Lantern?`);
}
