return Nonlinear.Cli.CliApp.Run(args, Console.Out, Console.Error, Console.In);
