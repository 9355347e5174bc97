using Brokkr.Broker;

await BrokerApp.Create(args).RunAsync();
