import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

/**
 * OTLP over HTTP, its exporter imported at the first export: the exporter with its OTLP transformer,
 * metrics SDK and protobuf runtime is about 240 modules, which every process loaded at start (a
 * fifth of a second of CPU each) whether it exported or not. A failed import fails that export, as a
 * collector that cannot be reached does; the next export tries again.
 */
export class LazyOtlpExporter implements SpanExporter {
  private exporter: Promise<SpanExporter> | undefined;

  constructor(private readonly url: string) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.load().then(
      (exporter) => exporter.export(spans, done),
      (error: unknown) => {
        this.exporter = undefined;
        done({ code: ExportResultCode.FAILED, error: error as Error });
      },
    );
  }

  async shutdown(): Promise<void> {
    if (this.exporter) await (await this.exporter).shutdown();
  }

  async forceFlush(): Promise<void> {
    if (this.exporter) await (await this.exporter).forceFlush?.();
  }

  private load(): Promise<SpanExporter> {
    this.exporter ??= import('@opentelemetry/exporter-trace-otlp-http').then(
      ({ OTLPTraceExporter }) => new OTLPTraceExporter({ url: this.url }),
    );
    return this.exporter;
  }
}
