package io.trackside.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code trackside} command line. */
@Command(name = "trackside", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Self-hosted first-party server-side tracking.",
    subcommands = {ServeCommand.class, DemoCommand.class, ReplayQuarantineCommand.class, GeoCommand.class,
        HashPasswordCommand.class, CommandLine.HelpCommand.class})
public final class Main {

  public static void main(String[] args) {
    int exit = new CommandLine(new Main()).execute(args);
    if (exit != 0) {
      System.exit(exit);
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"trackside " + (version == null ? "development build" : version)};
    }
  }
}
