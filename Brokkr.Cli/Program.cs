using Brokkr.Cli;

return await BrokkrCli.RunAsync(args, CliConsole.FromProcess(), handleTermination: true);
