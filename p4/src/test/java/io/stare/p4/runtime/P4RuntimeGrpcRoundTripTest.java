package io.stare.p4.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.rpc.Code;
import com.typesafe.config.ConfigFactory;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.grpc.GrpcClientSettings;
import org.apache.pekko.grpc.GrpcServiceException;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import p4.v1.CapabilitiesRequest;
import p4.v1.CapabilitiesResponse;
import p4.v1.GetForwardingPipelineConfigRequest;
import p4.v1.GetForwardingPipelineConfigResponse;
import p4.v1.MasterArbitrationUpdate;
import p4.v1.P4Runtime;
import p4.v1.P4RuntimeClient;
import p4.v1.P4RuntimeHandlerFactory;
import p4.v1.ReadRequest;
import p4.v1.ReadResponse;
import p4.v1.SetForwardingPipelineConfigRequest;
import p4.v1.SetForwardingPipelineConfigResponse;
import p4.v1.StreamMessageRequest;
import p4.v1.StreamMessageResponse;
import p4.v1.WriteRequest;
import p4.v1.WriteResponse;

/**
 * A real gRPC round trip over HTTP/2 on loopback: a Pekko gRPC server built from the generated
 * {@link P4RuntimeHandlerFactory}, called through the generated {@link P4RuntimeClient}.
 */
class P4RuntimeGrpcRoundTripTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  private static ActorSystem system;
  private static ServerBinding binding;
  private static P4RuntimeClient client;

  /** Answers Capabilities and echoes arbitration updates with status OK; nothing else. */
  static final class EchoP4Runtime implements P4Runtime {
    @Override
    public CompletionStage<CapabilitiesResponse> capabilities(CapabilitiesRequest in) {
      return CompletableFuture.completedFuture(
          CapabilitiesResponse.newBuilder().setP4RuntimeApiVersion("1.3.0").build());
    }

    @Override
    public Source<StreamMessageResponse, NotUsed> streamChannel(Source<StreamMessageRequest, NotUsed> in) {
      return in.filter(StreamMessageRequest::hasArbitration)
          .map(
              request ->
                  StreamMessageResponse.newBuilder()
                      .setArbitration(
                          request.getArbitration().toBuilder()
                              .setStatus(com.google.rpc.Status.newBuilder().setCode(Code.OK_VALUE)))
                      .build());
    }

    @Override
    public CompletionStage<WriteResponse> write(WriteRequest in) {
      return unimplemented();
    }

    @Override
    public Source<ReadResponse, NotUsed> read(ReadRequest in) {
      return Source.failed(new GrpcServiceException(io.grpc.Status.UNIMPLEMENTED));
    }

    @Override
    public CompletionStage<SetForwardingPipelineConfigResponse> setForwardingPipelineConfig(
        SetForwardingPipelineConfigRequest in) {
      return unimplemented();
    }

    @Override
    public CompletionStage<GetForwardingPipelineConfigResponse> getForwardingPipelineConfig(
        GetForwardingPipelineConfigRequest in) {
      return unimplemented();
    }

    private static <T> CompletionStage<T> unimplemented() {
      return CompletableFuture.failedFuture(new GrpcServiceException(io.grpc.Status.UNIMPLEMENTED));
    }
  }

  @BeforeAll
  static void start() throws Exception {
    system =
        ActorSystem.create(
            "p4runtime-round-trip",
            ConfigFactory.parseString("pekko.http.server.preview.enable-http2 = on")
                .withFallback(ConfigFactory.load()));
    binding =
        Http.get(system)
            .newServerAt("127.0.0.1", 0)
            .bind(P4RuntimeHandlerFactory.create(new EchoP4Runtime(), system))
            .toCompletableFuture()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    int port = binding.localAddress().getPort();
    client =
        P4RuntimeClient.create(
            GrpcClientSettings.connectToServiceAt("127.0.0.1", port, system).withTls(false), system);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (client != null) {
        client.close().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
      if (binding != null) {
        binding.terminate(Duration.ofSeconds(5)).toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      if (system != null) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void capabilities() throws Exception {
    CapabilitiesResponse response =
        client.capabilities(CapabilitiesRequest.newBuilder().setDeviceId(1).build())
            .toCompletableFuture()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    assertEquals("1.3.0", response.getP4RuntimeApiVersion());
  }

  @Test
  void streamChannelEchoesArbitration() throws Exception {
    BigInteger electionId = BigInteger.ONE.shiftLeft(64).add(BigInteger.TEN); // uses both halves
    StreamMessageRequest claim =
        StreamMessageRequest.newBuilder()
            .setArbitration(
                MasterArbitrationUpdate.newBuilder()
                    .setDeviceId(1)
                    .setElectionId(Uint128s.toProto(electionId)))
            .build();
    // Two claims, then the client half-closes; the server answers both and completes the stream.
    List<StreamMessageResponse> answers =
        client.streamChannel(Source.from(List.of(claim, claim)))
            .runWith(Sink.seq(), system)
            .toCompletableFuture()
            .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);

    assertEquals(2, answers.size());
    for (StreamMessageResponse answer : answers) {
      assertTrue(answer.hasArbitration(), answer.toString());
      MasterArbitrationUpdate update = answer.getArbitration();
      assertEquals(1, update.getDeviceId());
      assertEquals(electionId, Uint128s.toBigInteger(update.getElectionId()));
      assertTrue(update.hasStatus());
      assertEquals(Code.OK_VALUE, update.getStatus().getCode());
    }
  }

  @Test
  void unimplementedMethodsReportUnimplemented() {
    java.util.concurrent.ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            java.util.concurrent.ExecutionException.class,
            () ->
                client.write(WriteRequest.getDefaultInstance())
                    .toCompletableFuture()
                    .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    assertTrue(String.valueOf(e.getCause()).contains("UNIMPLEMENTED"), String.valueOf(e.getCause()));
  }
}
