// XEP-0332's chunked bodies (<chunk/>, <close/> in messages) and XEP-0047 in-band bytestream frames:
// the stream side of HTTP over XMPP, beside the request and response stanzas
// (http-over-xmpp.translator.ts).
import { type Element, xml } from '@xmpp/xml';
import { NS_BRIDGE_ERRORS, NS_HTTP, NS_IBB } from './http-over-xmpp.translator.js';

export interface ChunkFrame {
  streamId: string;
  nr: number;
  data: string;
  last: boolean;
}

export function chunkMessage(to: string, frame: ChunkFrame): Element {
  return xml(
    'message',
    { to },
    xml(
      'chunk',
      {
        xmlns: NS_HTTP,
        streamId: frame.streamId,
        nr: frame.nr,
        ...(frame.last ? { last: 'true' } : {}),
      },
      frame.data,
    ),
  );
}

/**
 * Why a sender breaks off a stream, as an application condition inside its `<close/>` (the XEP's close
 * has no reason; other implementations ignore the child): the receiver can then fail typed.
 */
export type CloseReason = 'payload-too-large' | 'timeout' | 'broken-off';
const CLOSE_REASONS: readonly string[] = ['payload-too-large', 'timeout', 'broken-off'];

export function closeMessage(to: string, streamId: string, reason?: CloseReason): Element {
  return xml(
    'message',
    { to },
    xml(
      'close',
      { xmlns: NS_HTTP, streamId },
      reason ? xml(reason, { xmlns: NS_BRIDGE_ERRORS }) : undefined,
    ),
  );
}

/** A chunk or a close inside a message, or undefined. */
export function parseChunkMessage(
  message: Element,
): ChunkFrame | { close: string; reason?: CloseReason } | undefined {
  const chunk = message.getChild('chunk', NS_HTTP);
  if (chunk) {
    const streamId = chunk.attrs['streamId'];
    const nr = Number(chunk.attrs['nr'] ?? 'NaN');
    if (!streamId || !Number.isInteger(nr) || nr < 0) return undefined;
    return { streamId, nr, data: chunk.text(), last: chunk.attrs['last'] === 'true' };
  }
  const close = message.getChild('close', NS_HTTP);
  const streamId = close?.attrs['streamId'];
  if (!close || !streamId) return undefined;
  const why = close.getChildElements().find((c) => c.getNS() === NS_BRIDGE_ERRORS)?.name;
  return why !== undefined && CLOSE_REASONS.includes(why)
    ? { close: streamId, reason: why as CloseReason }
    : { close: streamId };
}

/** One XEP-0047 frame: `open` and `close` come as IQs, `data` as IQs or messages. */
export type IbbFrame =
  | { kind: 'open'; sid: string; blockSize: number; stanza: 'iq' | 'message' }
  | { kind: 'data'; sid: string; seq: number; data: string }
  | { kind: 'close'; sid: string };

/** The IBB frame inside an IQ payload or a message, or undefined. */
export function parseIbb(el: Element): IbbFrame | undefined {
  const frame =
    el.getNS() === NS_IBB ? el : el.getChildElements().find((c) => c.getNS() === NS_IBB);
  const sid = frame?.attrs['sid'];
  if (!frame || !sid) return undefined;
  switch (frame.name) {
    case 'open': {
      const blockSize = Number(frame.attrs['block-size']);
      if (!Number.isInteger(blockSize) || blockSize < 1) return undefined;
      return {
        kind: 'open',
        sid,
        blockSize,
        stanza: frame.attrs['stanza'] === 'message' ? 'message' : 'iq',
      };
    }
    case 'data': {
      const seq = Number(frame.attrs['seq']);
      if (!Number.isInteger(seq) || seq < 0 || seq > 65_535) return undefined;
      return { kind: 'data', sid, seq, data: frame.text() };
    }
    case 'close':
      return { kind: 'close', sid };
    default:
      return undefined;
  }
}

export function ibbClose(to: string, sid: string): Element {
  return xml('iq', { type: 'set', to }, xml('close', { xmlns: NS_IBB, sid }));
}
