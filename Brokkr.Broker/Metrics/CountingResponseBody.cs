using System.IO.Pipelines;
using Microsoft.AspNetCore.Http.Features;

namespace Brokkr.Broker.Metrics;

/// <summary>
/// Counts the response body bytes the application writes, whichever way it writes them (PipeWriter, Stream or
/// SendFile). API responses are streamed without Content-Length, so the header alone would miss most of them.
/// </summary>
public sealed class CountingResponseBody(IHttpResponseBodyFeature inner) : IHttpResponseBodyFeature
{
    public IHttpResponseBodyFeature Inner => inner;

    private CountingPipeWriter? _writer;
    private CountingStream? _stream;
    private long _sentFileBytes;

    public long BytesWritten => (_writer?.Count ?? 0) + (_stream?.Count ?? 0) + _sentFileBytes;

    public Stream Stream => _stream ??= new CountingStream(inner.Stream);

    public PipeWriter Writer => _writer ??= new CountingPipeWriter(inner.Writer);

    public void DisableBuffering() => inner.DisableBuffering();

    public Task StartAsync(CancellationToken cancellationToken = default) => inner.StartAsync(cancellationToken);

    public async Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default)
    {
        await inner.SendFileAsync(path, offset, count, cancellationToken);
        _sentFileBytes += count ?? new FileInfo(path).Length - offset;
    }

    public Task CompleteAsync() => inner.CompleteAsync();

    private sealed class CountingPipeWriter(PipeWriter inner) : PipeWriter
    {
        public long Count { get; private set; }

        public override void Advance(int bytes)
        {
            Count += bytes;
            inner.Advance(bytes);
        }

        public override Memory<byte> GetMemory(int sizeHint = 0) => inner.GetMemory(sizeHint);

        public override Span<byte> GetSpan(int sizeHint = 0) => inner.GetSpan(sizeHint);

        public override void CancelPendingFlush() => inner.CancelPendingFlush();

        public override void Complete(Exception? exception = null) => inner.Complete(exception);

        public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

        public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) =>
            inner.FlushAsync(cancellationToken);

        public override ValueTask<FlushResult> WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
        {
            Count += source.Length;
            return inner.WriteAsync(source, cancellationToken);
        }

        public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

        public override long UnflushedBytes => inner.UnflushedBytes;
    }
}
