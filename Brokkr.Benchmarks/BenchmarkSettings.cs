namespace Brokkr.Benchmarks;

/// <summary>Command line: <c>--rounds 6 --seconds 4 --warmup 3 --concurrency 4 --stacks 5</c>; rounds 0 skips the end-to-end part.</summary>
public sealed record BenchmarkSettings(int Rounds, int Seconds, int WarmupSeconds, int Concurrency, int Stacks)
{
    public static BenchmarkSettings Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            var at = Array.IndexOf(args, "--" + name);
            return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], out var value) ? value : fallback;
        }
        return new BenchmarkSettings(Get("rounds", 6), Get("seconds", 4), Get("warmup", 3), Get("concurrency", 4), Get("stacks", 5));
    }
}
