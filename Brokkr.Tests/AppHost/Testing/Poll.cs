namespace Brokkr.Tests.AppHost.Testing;

/// <summary>Waiting for a condition by reading it again and again — never a blind sleep.</summary>
public static class Poll
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    /// <summary>Reads until <paramref name="done"/> holds; on timeout fails with <paramref name="what"/> and the last value read.</summary>
    public static Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what) =>
        UntilAsync(read, done, timeout, () => what);

    /// <summary>As above; <paramref name="what"/> is evaluated on timeout (e.g. to include a resource's latest log lines).</summary>
    public static async Task<T> UntilAsync<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, Func<string> what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        T last;
        while (true)
        {
            last = await read();
            if (done(last))
            {
                return last;
            }

            try
            {
                await Task.Delay(Interval, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        throw new TimeoutException($"{what()}: not reached within {timeout}; last value: {Describe(last)}");
    }

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>()) + "]",
        _ => value.ToString() ?? "",
    };
}
