using Brokkr.Broker.Commands;

return await BrokerCommandLine.RunAsync(args, Console.Out, Console.Error);
