package io.stare.deploy.vnf;

import io.stare.actors.middleware.gateway.VnfTokens;
import io.stare.deploy.cli.UserInputException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code stare token --key-file KEY --name NAME...}: each VNF name's gateway token under the
 * operator's key ({@link VnfTokens}), one line per name, for the VNF's {@code STARE_VNF_TOKEN}.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Print the gateway token of each VNF name under the key the middlewares use "
                + "(stare.middleware.gateway.token-key-file): give each VNF its own, in STARE_VNF_TOKEN.")
public final class TokenCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--key-file", paramLabel = "FILE", required = true,
            description = "the key file (16 or more bytes, e.g. head -c 32 /dev/urandom > gateway.key)")
    Path keyFile;

    @Option(names = "--name", paramLabel = "NAME", required = true, split = ",",
            description = "the VNF names (repeatable, or comma-separated)")
    List<String> names;

    @Override
    public Integer call() {
        if (!Files.isReadable(keyFile)) {
            throw new UserInputException("cannot read the key file " + keyFile);
        }
        VnfTokens tokens;
        try {
            tokens = VnfTokens.fromFile(keyFile);
        } catch (IllegalArgumentException | UncheckedIOException e) {
            throw new UserInputException(e.getMessage());
        }
        for (String name : names) {
            if (name.isBlank() || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 255) {
                throw new UserInputException("--name '" + name + "': names are 1..255 UTF-8 bytes");
            }
        }
        for (String name : names) {
            spec.commandLine().getOut().println(names.size() == 1 ? tokens.tokenOf(name)
                    : name + " " + tokens.tokenOf(name));
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
