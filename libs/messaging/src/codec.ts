const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

export function decodeJson(data: Uint8Array): unknown {
  return JSON.parse(decoder.decode(data));
}

/** Nest's envelope around events/requests; foreign publishers may send the bare payload instead. */
export function unwrapEnvelope(value: unknown): unknown {
  if (value && typeof value === 'object' && 'pattern' in value && 'data' in value) {
    return (value as { data: unknown }).data;
  }
  return value;
}
