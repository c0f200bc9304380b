package dev.forwarder.it.balancer;

import com.github.dockerjava.api.command.InspectContainerResponse;
import org.testcontainers.containers.GenericContainer;

/**
 * Faults injected through the Docker API. As seen from the host (docker-ci.md): a paused container still accepts a
 * connection on its published port and then answers nothing; a stopped one refuses at once.
 */
final class Faults {

    private Faults() {
    }

    static void pause(GenericContainer<?> container) {
        container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
    }

    static void unpause(GenericContainer<?> container) {
        container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
    }

    /** Unpauses a container a failed test may have left paused, so the next test and the final stop find it running. */
    static void unpauseIfPaused(GenericContainer<?> container) {
        if (container.getContainerId() == null) {
            return;
        }
        InspectContainerResponse.ContainerState state = container.getDockerClient()
                .inspectContainerCmd(container.getContainerId()).exec().getState();
        if (Boolean.TRUE.equals(state.getPaused())) {
            unpause(container);
        }
    }

    /** {@code docker stop}: the image's stop signal, then SIGKILL after {@code timeoutSeconds}. */
    static void stop(GenericContainer<?> container, int timeoutSeconds) {
        container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(timeoutSeconds).exec();
    }

    /** {@code docker start} of a stopped container; it keeps fixed host-port bindings, not random ones. */
    static void start(GenericContainer<?> container) {
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    }
}
