package io.stare.deploy.vnf;

import com.typesafe.config.ConfigFactory;
import io.stare.client.TcpVnfClient;
import io.stare.deploy.cli.CliParsing;
import io.stare.deploy.cli.UserInputException;
import io.stare.protocol.ErrorCode;
import io.stare.protocol.auth.PublishKey;
import io.stare.protocol.segment.Segmenter;
import io.stare.protocol.vnf.VnfMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code stare vnf}: a VNF by hand, through a middleware's TCP gateway ({@link TcpVnfClient}):
 * {@code publish} declares a state and publishes updates of it, {@code subscribe} prints the
 * updates of a state as they arrive.
 */
@Command(name = "vnf", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Be a VNF for a moment: connect to a middleware's gateway (`stare middleware`), register "
                + "as --name and publish or subscribe. VNF IDs are given by name across the deployment, so use a "
                + "different --name per VNF; a state is published by the VNF that declared it first."},
        subcommands = {VnfCommand.Publish.class, VnfCommand.Subscribe.class})
public final class VnfCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Option(names = "--gateway", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:65431",
            description = "the middleware's VNF gateway (default: ${DEFAULT-VALUE})")
    String gateway;

    @Option(names = "--name", paramLabel = "NAME", required = true,
            description = "this VNF's name (its VNF ID follows from it)")
    String name;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "bound on connecting and on each request (default: ${DEFAULT-VALUE})")
    String timeout;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "say what to do: publish or subscribe");
    }

    /** Connects, registers; the session for a subcommand. */
    TcpVnfClient connect(java.util.function.Consumer<VnfMessage.LossNotice> onLoss) {
        InetSocketAddress at = CliParsing.address("--gateway", gateway);
        if (at.getPort() == 0) {
            throw new UserInputException("--gateway needs a port, not 0");
        }
        if (name.isBlank()) {
            throw new UserInputException("--name must not be empty");
        }
        Duration bound = CliParsing.duration("--timeout", timeout);
        if (bound.isZero()) {
            throw new UserInputException("--timeout must be longer than 0");
        }
        TcpVnfClient client;
        try {
            client = TcpVnfClient.connect(at, name, bound, onLoss);
        } catch (IOException e) {
            throw new UserInputException(e.getMessage());
        }
        try {
            client.register(name);
        } catch (IOException e) {
            client.close();
            throw refused("register as " + name, e);
        }
        return client;
    }

    /** A request the middleware refused (or a broken connection) as a one-line error. */
    static UserInputException refused(String what, IOException e) {
        if (!(e instanceof TcpVnfClient.StareException s) || e instanceof TcpVnfClient.ClosedException) {
            return new UserInputException(what + " failed: " + e.getMessage());
        }
        String code = s.code().name();
        // The middleware's text often repeats the request and the code: "declare x: NOT_PUBLISHER: ...".
        String detail = s.detail();
        int repeated = detail.indexOf(code + ": ");
        if (repeated >= 0) {
            detail = detail.substring(repeated + code.length() + 2);
        }
        String text = switch (s.code()) {
            case NOT_PUBLISHER -> detail + " (another VNF declared it first; only that --name may publish it)";
            case UNKNOWN_STATE -> "no VNF has declared it yet (--wait waits for one)";
            case UNAVAILABLE -> detail + " (the middleware cannot reach the replica controller; try again)";
            default -> detail;
        };
        return new UserInputException(what + " refused: " + code + ": " + text);
    }

    /** A payload as text when it is printable UTF-8, else as hex. */
    static String show(byte[] payload) {
        if (payload.length == 0) {
            return "(empty)";
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(payload)).toString();
            boolean printable = text.codePoints().allMatch(c -> c == '\t' || !Character.isISOControl(c));
            if (printable) {
                return text;
            }
        } catch (CharacterCodingException e) {
            // Not text.
        }
        String hex = HexFormat.of().formatHex(payload, 0, Math.min(payload.length, 256));
        return "0x" + hex + (payload.length > 256 ? "... (" + payload.length + " bytes)" : "");
    }

    static void print(PrintWriter out, String line) {
        synchronized (out) {
            out.println(line);
            out.flush();
        }
    }

    private static Optional<Duration> optionalDuration(String option, String text) {
        return text == null ? Optional.empty() : Optional.of(CliParsing.duration(option, text));
    }

    /** {@code stare vnf ... publish}. */
    @Command(name = "publish", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Declare a state (as this VNF's) and publish updates of it. Each update prints its "
                    + "number and how many segments (packets) it took.")
    static final class Publish implements Callable<Integer> {

        private static final java.time.format.DateTimeFormatter TIME =
                java.time.format.DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

        @ParentCommand
        VnfCommand vnf;

        @Spec
        CommandSpec spec;

        @Option(names = "--state", paramLabel = "S", required = true, description = "the state's name")
        String state;

        @Option(names = "--value", paramLabel = "TEXT",
                description = "the value of every update, as UTF-8 (default: \"S from NAME at HH:MM:SS.mmm\", "
                        + "the time of the publish)")
        String value;

        @Option(names = "--stdin", description = "read the values from standard input, one update per line")
        boolean stdin;

        @Option(names = "--count", paramLabel = "N", defaultValue = "1",
                description = "updates to publish; 0: until Ctrl-C (or the end of standard input) "
                        + "(default: ${DEFAULT-VALUE})")
        long count;

        @Option(names = "--every", paramLabel = "DURATION",
                description = "wait this long between updates, e.g. 1s or 200ms (default: none)")
        String every;

        @Override
        public Integer call() throws Exception {
            if (value != null && stdin) {
                throw new UserInputException("--value and --stdin exclude each other");
            }
            if (count < 0) {
                throw new UserInputException("--count must be 0 or more, not " + count);
            }
            Duration pause = optionalDuration("--every", every).orElse(Duration.ZERO);
            Segmenter segmenter = new Segmenter(ConfigFactory.load().getInt("stare.middleware.mtu"),
                    PublishKey.TAG_LENGTH); // as the middleware splits
            PrintWriter out = spec.commandLine().getOut();
            BufferedReader lines = stdin ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : null;
            try (TcpVnfClient client = vnf.connect(loss -> { })) {
                int stateId;
                try {
                    stateId = client.declare(state);
                } catch (IOException e) {
                    throw refused("declare " + state, e);
                }
                print(out, "declared " + state + " (state " + stateId + ") as VNF " + vnf.name + " at middleware "
                        + client.serverName());
                for (long i = 1; count == 0 || i <= count; i++) {
                    if (i > 1 && !pause.isZero()) {
                        Thread.sleep(pause.toMillis());
                    }
                    byte[] payload;
                    if (lines != null) {
                        String line = lines.readLine();
                        if (line == null) {
                            break;
                        }
                        payload = line.getBytes(StandardCharsets.UTF_8);
                    } else {
                        payload = (value != null ? value : state + " from " + vnf.name + " at "
                                + TIME.format(java.time.LocalTime.now()))
                                .getBytes(StandardCharsets.UTF_8);
                    }
                    long update;
                    try {
                        update = client.publish(stateId, payload);
                    } catch (IOException e) {
                        throw refused("publish " + state, e);
                    }
                    int segments = payload.length <= segmenter.maxUpdateBytes()
                            ? segmenter.segmentCount(payload.length) : -1;
                    print(out, "published " + state + " update " + update + " (" + segments
                            + (segments == 1 ? " segment)" : " segments)"));
                }
            }
            return 0;
        }
    }

    /** {@code stare vnf ... subscribe}. */
    @Command(name = "subscribe", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Subscribe to a state and print every update as it arrives (text, or hex when it is not "
                    + "printable UTF-8), and every loss notice, until --count updates, --duration or Ctrl-C.")
    static final class Subscribe implements Callable<Integer> {

        @ParentCommand
        VnfCommand vnf;

        @Spec
        CommandSpec spec;

        @Option(names = "--state", paramLabel = "S", required = true, description = "the state's name")
        String state;

        @Option(names = "--count", paramLabel = "N", defaultValue = "0",
                description = "stop after this many updates; 0: no limit (default: ${DEFAULT-VALUE})")
        long count;

        @Option(names = "--duration", paramLabel = "DURATION",
                description = "stop after this long, e.g. 30s (default: until --count or Ctrl-C)")
        String duration;

        @Option(names = "--wait", description = "if no VNF has declared the state yet, ask again every second "
                + "instead of failing")
        boolean waitForState;

        @Override
        public Integer call() throws Exception {
            if (count < 0) {
                throw new UserInputException("--count must be 0 or more, not " + count);
            }
            Optional<Duration> runFor = optionalDuration("--duration", duration);
            long deadline = runFor.map(d -> System.nanoTime() + d.toNanos()).orElse(Long.MAX_VALUE);
            PrintWriter out = spec.commandLine().getOut();
            AtomicInteger received = new AtomicInteger();
            CountDownLatch enough = new CountDownLatch(1);
            try (TcpVnfClient client = vnf.connect(loss -> print(out, describe(loss)))) {
                int stateId = -1;
                boolean said = false;
                while (stateId < 0) {
                    try {
                        stateId = client.subscribe(state, deliver -> {
                            print(out, state + " update " + deliver.updateNo() + " from VNF "
                                    + deliver.publisherVnfId() + ": " + show(deliver.payload()));
                            if (received.incrementAndGet() == count) {
                                enough.countDown();
                            }
                        });
                    } catch (TcpVnfClient.StareException e) {
                        boolean unknown = e.code() == ErrorCode.UNKNOWN_STATE;
                        if (!unknown || !waitForState) {
                            throw refused("subscribe to " + state, e);
                        }
                        if (!said) {
                            print(out, "no VNF has declared " + state + " yet; waiting");
                            said = true;
                        }
                        if (System.nanoTime() + 1_000_000_000L > deadline) {
                            print(out, "stopped after " + duration + ": " + state + " was never declared");
                            return 0;
                        }
                        Thread.sleep(1_000);
                    }
                }
                print(out, "subscribed to " + state + " (state " + stateId + ") as VNF " + vnf.name
                        + " at middleware " + client.serverName() + "; waiting for updates");
                AtomicReference<String> why = new AtomicReference<>();
                while (true) {
                    long left = deadline == Long.MAX_VALUE ? 500
                            : Math.min(500, (deadline - System.nanoTime()) / 1_000_000);
                    if (left <= 0) {
                        print(out, "stopped after " + duration + ": " + received.get() + " updates received");
                        break;
                    }
                    if (enough.await(left, TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    if (!client.isOpen()) {
                        why.set("the middleware closed the connection after " + received.get() + " updates");
                        break;
                    }
                }
                if (why.get() != null) {
                    throw new UserInputException(why.get());
                }
                if (enough.getCount() == 0) {
                    try {
                        client.unsubscribe(stateId);
                    } catch (IOException e) {
                        // Closing the connection ends the subscription too.
                    }
                }
            }
            return 0;
        }

        private String describe(VnfMessage.LossNotice loss) {
            String range = loss.firstUpdate() == loss.lastUpdate() ? "update " + loss.firstUpdate()
                    : "updates " + loss.firstUpdate() + ".." + loss.lastUpdate();
            String outcome = switch (loss.outcome()) {
                case RECOVERING -> "lost, recovering from the backlog";
                case RECOVERED -> "recovered";
                case UNRECOVERABLE -> "lost for good";
            };
            return state + " " + range + " " + outcome;
        }
    }
}
