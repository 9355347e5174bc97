await Brokkr.KubernetesStandIn.KubernetesStandIn.RunAsync(args);
