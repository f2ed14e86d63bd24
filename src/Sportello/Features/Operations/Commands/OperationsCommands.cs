using Sportello.Data;

namespace Sportello.Features.Operations.Commands;

/// <summary>
/// The commands of the same program (CONTRACT.md, "Operations"): <c>backup --to FILE</c> and
/// <c>migrate-data --to-postgres "CONNECTION"</c>. They take the configuration flags of a normal start (the same data
/// folder, provider and connection string), build only the database part of the application, and never serve.
/// Exit codes: 0 done, 1 refused or failed (the message says why), 2 the command line is wrong.
/// </summary>
public static class OperationsCommands
{
    public const int Done = 0;
    public const int Failed = 1;
    public const int Usage = 2;

    private sealed record Command(string Name, string Option, string Usage, Func<WebApplication, string, TextWriter, TextWriter, Task<int>> RunAsync);

    private static readonly Command[] Known =
    [
        new("backup", "--to", "backup --to FILE",
            (app, file, output, error) => BackupCommand.RunAsync(app.Services, file, output, error)),
        new("migrate-data", "--to-postgres", "migrate-data --to-postgres \"CONNECTION\"",
            (app, connection, output, error) => MigrateDataCommand.RunAsync(app.Services, connection, output, error)),
    ];

    /// <summary>Runs the command <paramref name="args"/> name, or returns null when they are a normal start.</summary>
    public static async Task<int?> TryRunAsync(string[] args)
    {
        if (args.Length == 0 || Array.Find(Known, c => c.Name == args[0]) is not { } command)
        {
            return null;
        }
        var rest = args.AsSpan(1).ToArray().ToList();
        var value = TakeOption(rest, command.Option);
        if (string.IsNullOrWhiteSpace(value))
        {
            await Console.Error.WriteLineAsync(
                $"Usage: dotnet Sportello.dll {command.Usage} [configuration flags of a normal start, e.g. --Sportello:DataDir DIR]");
            return Usage;
        }
        var builder = WebApplication.CreateBuilder(rest.ToArray());
        builder.Logging.ClearProviders();
        builder.AddSportelloOptions();
        builder.AddDatabase();
        await using var app = builder.Build();
        try
        {
            return await command.RunAsync(app, value, Console.Out, Console.Error);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A command is run by an operator at a terminal: the reason, not a stack trace.
            await Console.Error.WriteLineAsync($"{command.Name} failed: {ex.GetBaseException().Message}");
            return Failed;
        }
    }

    // "--to FILE" or "--to=FILE"; removed from the arguments so the rest are configuration flags only.
    private static string? TakeOption(List<string> args, string option)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (args[i] == option && i + 1 < args.Count)
            {
                var value = args[i + 1];
                args.RemoveRange(i, 2);
                return value;
            }
            if (args[i].StartsWith(option + "=", StringComparison.Ordinal))
            {
                var value = args[i][(option.Length + 1)..];
                args.RemoveAt(i);
                return value;
            }
        }
        return null;
    }
}
