package io.stare.deploy.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.stare.deploy.cli.UserInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BootstrapTest {

    private static Config tool(String overrides) {
        // Unresolved, as ControllerCluster.nodeConfig merges them: overrides reach the substitutions.
        return ConfigFactory.parseString(overrides).withFallback(ConfigFactory.defaultApplication())
                .withFallback(ConfigFactory.defaultReference()).resolve();
    }

    @Test
    void seedsAreTheDefaultAndKubernetesApiIsChosenByName() {
        assertEquals(Bootstrap.Mode.SEEDS, Bootstrap.mode(tool("")));
        assertEquals(Bootstrap.Mode.KUBERNETES_API, Bootstrap.mode(tool("stare.cluster.bootstrap.mode = Kubernetes-API")));
        UserInputException bad = assertThrows(UserInputException.class,
                () -> Bootstrap.mode(tool("stare.cluster.bootstrap.mode = dns")));
        assertTrue(bad.getMessage().contains("seeds or kubernetes-api, not 'dns'"), bad.getMessage());
    }

    @Test
    void aSeedListBesideTheBootstrapIsRefused() {
        Bootstrap.checkSeeds(Bootstrap.Mode.SEEDS, List.of("pekko://stare@127.0.0.1:25520"));
        Bootstrap.checkSeeds(Bootstrap.Mode.KUBERNETES_API, List.of());
        assertThrows(UserInputException.class,
                () -> Bootstrap.checkSeeds(Bootstrap.Mode.KUBERNETES_API, List.of("pekko://stare@127.0.0.1:25520")));
    }

    @Test
    void metricsOfTheirOwnBesideTheBootstrapAreRefused() {
        Bootstrap.checkEndpoint(Bootstrap.Mode.SEEDS, true);
        Bootstrap.checkEndpoint(Bootstrap.Mode.KUBERNETES_API, false);
        UserInputException both = assertThrows(UserInputException.class,
                () -> Bootstrap.checkEndpoint(Bootstrap.Mode.KUBERNETES_API, true));
        assertTrue(both.getMessage().contains("$STARE_MANAGEMENT_HOST:$STARE_MANAGEMENT_PORT"), both.getMessage());
    }

    @Test
    void theServiceAccountDirectoryGivesTheDiscoveryItsFilesAndTheServiceItsLabel() {
        Config config = tool("stare.cluster.bootstrap { service-account-dir = \"/sa\", service-name = nf, "
                + "required-contact-points = 3 }");
        assertEquals("/sa/ca.crt", config.getString("pekko.discovery.kubernetes-api.api-ca-path"));
        assertEquals("/sa/token", config.getString("pekko.discovery.kubernetes-api.api-token-path"));
        assertEquals("/sa/namespace", config.getString("pekko.discovery.kubernetes-api.pod-namespace-path"));
        assertEquals("nf", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
        assertEquals(3, config.getInt(
                "pekko.management.cluster.bootstrap.contact-point-discovery.required-contact-point-nr"));
        assertEquals("management", config.getString("pekko.management.cluster.bootstrap.contact-point-discovery.port-name"));
        assertTrue(Bootstrap.describeDiscovery(config).contains("app=nf"));
    }
}
