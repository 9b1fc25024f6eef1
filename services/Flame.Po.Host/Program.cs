using Flame.Po.Host;

return await FlameHost.RunAsync(args);
