package dev.lossdoctor.cli;

import picocli.CommandLine;

final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String v = LossDoctor.class.getPackage().getImplementationVersion();
        return new String[] {"loss-doctor " + (v == null ? "development" : v)};
    }
}
