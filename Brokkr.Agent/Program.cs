using Brokkr.Agent;

return await AgentApp.RunAsync(args);
