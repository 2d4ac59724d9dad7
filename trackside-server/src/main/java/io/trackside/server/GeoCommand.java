package io.trackside.server;

import picocli.CommandLine.Command;

/** {@code trackside geo ...}: the IP databases behind geo and the hosting-network bot layer. */
@Command(name = "geo", mixinStandardHelpOptions = true,
    description = "Manage the IP databases used for geo lookup and hosting-network bot flags.",
    subcommands = {GeoFetchCommand.class})
final class GeoCommand {
}
