using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Brokkr.AppHost.Hosting;

/// <summary>
/// What the user sees: each resource's log lines prefixed by its name, and the resource table — redrawn in place under the
/// log when stdout is a terminal, as plain lines on every change (and once a minute) when it is not. <c>AppHost:Console=quiet</c>
/// (tests) keeps only the last lines per resource in memory. Resources may colour their lines (.NET's console logger does,
/// since the AppHost allows colours on redirected output as Aspire does); the colours reach only a terminal.
/// </summary>
internal sealed partial class ResourceConsole : IDisposable
{
    private const int RecentLineCount = 200;
    private const string AppHostName = "apphost";
    private static readonly string[] Colors = ["\x1b[36m", "\x1b[33m", "\x1b[35m", "\x1b[32m", "\x1b[34m", "\x1b[91m", "\x1b[96m"];

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<string, Queue<string>> _recent = new();
    private readonly ResourceNotificationService _notifications;
    private readonly Mode _mode;
    private readonly int _nameWidth;
    private readonly Dictionary<string, string> _colors;
    private readonly Dictionary<string, string> _lastPrinted = [];
    private readonly Timer? _periodic;
    private int _tableLines;

    public ResourceConsole(IConfiguration configuration, ResourceNotificationService notifications, IReadOnlyList<IResource> model)
    {
        _notifications = notifications;
        _mode = configuration["AppHost:Console"] switch
        {
            "quiet" => Mode.Quiet,
            "plain" => Mode.Plain,
            _ => Console.IsOutputRedirected ? Mode.Plain : Mode.Terminal,
        };
        _nameWidth = model.Select(r => r.Name.Length).Append(AppHostName.Length).Max();
        _colors = model.Select((r, i) => (r.Name, Colors[i % Colors.Length])).ToDictionary(x => x.Name, x => x.Item2);
        notifications.Changed += OnChanged;
        if (_mode == Mode.Plain)
        {
            _periodic = new Timer(_ => PrintStatusLines(onlyChanged: false), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
    }

    private enum Mode
    {
        Terminal,
        Plain,
        Quiet,
    }

    public void WriteLog(string resource, string line)
    {
        var plain = AnsiEscape().Replace(line, "");
        var recent = _recent.GetOrAdd(resource, _ => new Queue<string>());
        lock (recent)
        {
            recent.Enqueue(plain);
            if (recent.Count > RecentLineCount)
            {
                recent.Dequeue();
            }
        }

        if (_mode == Mode.Quiet)
        {
            return;
        }

        var prefix = resource.PadRight(_nameWidth) + " | ";
        WriteAboveTable(_mode == Mode.Terminal ? $"{_colors.GetValueOrDefault(resource, "")}{prefix}\x1b[0m{line}\x1b[0m" : prefix + plain);
    }

    /// <summary>A message from the AppHost itself.</summary>
    public void WriteInfo(string line) => WriteLog(AppHostName, line);

    public IReadOnlyList<string> RecentLines(string resource)
    {
        if (!_recent.TryGetValue(resource, out var recent))
        {
            return [];
        }

        lock (recent)
        {
            return [.. recent];
        }
    }

    /// <summary>Removes the table from the screen (on shutdown); in a terminal the next line written draws it again.</summary>
    public void ClearTable()
    {
        lock (_gate)
        {
            EraseTable();
        }
    }

    public void Dispose()
    {
        _notifications.Changed -= OnChanged;
        _periodic?.Dispose();
    }

    private void OnChanged(ResourceSnapshot snapshot)
    {
        switch (_mode)
        {
            case Mode.Terminal:
                WriteAboveTable(null);
                break;
            case Mode.Plain:
                PrintStatusLines(onlyChanged: true);
                break;
        }
    }

    private void WriteAboveTable(string? line)
    {
        lock (_gate)
        {
            if (_mode == Mode.Terminal)
            {
                EraseTable();
            }

            if (line is not null)
            {
                Console.Out.WriteLine(line);
            }

            if (_mode == Mode.Terminal)
            {
                DrawTable();
            }

            Console.Out.Flush();
        }
    }

    private void EraseTable()
    {
        if (_tableLines > 0)
        {
            Console.Out.Write($"\x1b[{_tableLines}F\x1b[J");
            _tableLines = 0;
        }
    }

    private void DrawTable()
    {
        var width = TerminalWidth();
        var rows = Rows().ToList();
        var text = new StringBuilder();
        text.AppendLine(Truncate(new string('─', Math.Min(width - 1, 100)), width));
        foreach (var row in rows)
        {
            text.AppendLine(Truncate(row, width));
        }

        Console.Out.Write(text.ToString());
        _tableLines = rows.Count + 1;
    }

    private IEnumerable<string> Rows()
    {
        yield return Row("RESOURCE", "TYPE", "STATE", "HEALTH", "RESTARTS", "URL");
        foreach (var s in _notifications.Snapshots.Where(s => s.Type != "Parameter"))
        {
            var detail = s.Urls.Count > 0 ? string.Join(' ', s.Urls) : s.Message ?? "";
            yield return Row(s.Name, s.Type, s.State, s.Health ?? "-", s.Restarts.ToString(System.Globalization.CultureInfo.InvariantCulture), detail);
        }
    }

    private string Row(string name, string type, string state, string health, string restarts, string detail) =>
        $"{name.PadRight(_nameWidth)}  {type,-9} {state,-13} {health,-9} {restarts,-8} {detail}";

    private void PrintStatusLines(bool onlyChanged)
    {
        // Under the console lock (it is reentrant): changes published at once by several resources print in order.
        lock (_gate)
        {
            foreach (var s in _notifications.Snapshots.Where(s => s.Type != "Parameter"))
            {
                var status = $"{s.Name}: {s.State}, health {s.Health ?? "-"}, restarts {s.Restarts}" +
                             (s.Urls.Count > 0 ? ", " + string.Join(' ', s.Urls) : "") + (s.Message is null ? "" : " - " + s.Message);
                if (onlyChanged && _lastPrinted.GetValueOrDefault(s.Name) == status)
                {
                    continue;
                }

                _lastPrinted[s.Name] = status;
                WriteAboveTable(AppHostName.PadRight(_nameWidth) + " | " + status);
            }
        }
    }

    private static int TerminalWidth()
    {
        try
        {
            return Console.WindowWidth > 20 ? Console.WindowWidth : 120;
        }
        catch (IOException)
        {
            return 120;
        }
    }

    private static string Truncate(string line, int width) => line.Length < width ? line : line[..(width - 1)];

    /// <summary>ECMA-48 control sequences (colours, cursor movement) as terminals read them.</summary>
    [GeneratedRegex(@"\x1b\[[0-9;?]*[ -/]*[@-~]")]
    private static partial Regex AnsiEscape();
}
