package io.stare.bench.faults;

import java.util.Map;

/**
 * Where a deployment's cluster nodes find each other when they bootstrap through the Kubernetes
 * API instead of a seed list: the environment that points them at an API server, and the pod
 * objects that server must hold for each controller node (a test backs it with a mock API
 * server). Controller nodes are the contact points; middlewares find them and join.
 */
public interface PodDirectory {

    /** What every cluster node's environment adds: the bootstrap mode, the API server, the service account. */
    Map<String, String> environment();

    /**
     * Controller node {@code name} runs from now on: publish its pod (Running, on loopback, with
     * these container ports).
     */
    void podStarted(String name, int managementPort, int remotingPort);

    /** Controller node {@code name} is gone: delete its pod. */
    void podDeleted(String name);
}
