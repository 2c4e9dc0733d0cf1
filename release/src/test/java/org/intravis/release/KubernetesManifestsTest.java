package org.intravis.release;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.intravis.ui.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code deploy/kubernetes}, validated without a cluster: {@code kubectl kustomize} builds each bundle as
 * {@code kubectl apply -k} would, then {@link ManifestChecks} reads every object into the Kubernetes API's types and
 * checks the references between them; the edge's configuration is loaded by the application's own loader. Then
 * what each bundle is for: the edge's data volume, display Service and capture device, the inference pool's GPUs and
 * readiness from ModelReady, Triton serving the repository intravis exports.
 */
class KubernetesManifestsTest {
    private static final Path KUBERNETES = Path.of(System.getProperty("intravis.deploy", "../deploy"), "kubernetes");
    /** Secrets the site creates (docs/deploy.md says how): certificates and token hashes are not committed. */
    private static final Set<String> SITE_SECRETS = Set.of("intravis-tls", "intravis-tokens", "intravis-inference-tls",
            "intravis-inference-tokens", "intravis-inference-token", "triton-inference-tls");

    @Test
    void everyBundleBuildsAndPassesTheChecks() throws Exception {
        List<Path> bundles;
        try (Stream<Path> s = Files.list(KUBERNETES)) {
            bundles = s.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml"))).sorted().toList();
        }
        assertThat(bundles).extracting(p -> p.getFileName().toString())
                .containsExactlyInAnyOrder("edge", "or1", "inference", "triton");
        for (Path bundle : bundles) {
            ManifestChecks checks = ManifestChecks.of(kustomize(bundle), SITE_SECRETS);
            assertThat(checks.problems()).as(bundle.toString()).isEmpty();
            assertThat(checks.objects()).as(bundle.toString()).isNotEmpty();
        }
    }

    @Test
    void theEdgeKeepsItsDataServesTheDisplaysAndRunsAConfigurationTheApplicationAccepts(@TempDir Path tmp) throws Exception {
        for (String bundle : List.of("edge", "or1")) {
            ManifestChecks checks = ManifestChecks.of(kustomize(KUBERNETES.resolve(bundle)), SITE_SECRETS);
            Deployment edge = checks.all(Deployment.class).get(0);
            assertThat(edge.getSpec().getReplicas()).isOne();
            assertThat(edge.getSpec().getStrategy().getType()).isEqualTo("Recreate");
            Container app = edge.getSpec().getTemplate().getSpec().getContainers().get(0);
            assertThat(app.getArgs()).containsSubsequence("run", "--config").containsSubsequence("--data-dir", "/var/lib/intravis");
            String claim = edge.getSpec().getTemplate().getSpec().getVolumes().stream()
                    .filter(v -> v.getPersistentVolumeClaim() != null).findFirst().orElseThrow()
                    .getPersistentVolumeClaim().getClaimName();
            assertThat(checks.all(PersistentVolumeClaim.class)).extracting(c -> c.getMetadata().getName()).contains(claim);
            assertThat(app.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/var/lib/intravis"));
            assertThat(checks.all(Service.class)).singleElement().satisfies(s -> assertThat(s.getSpec().getType()).isEqualTo("NodePort"));

            ConfigMap config = checks.all(ConfigMap.class).get(0);
            Path yaml = tmp.resolve(bundle + ".yaml");
            Files.writeString(yaml, config.getData().get("intravis.yaml"));
            var loaded = ConfigLoader.load(yaml);
            assertThat(loaded.server.port).isEqualTo(app.getPorts().get(0).getContainerPort());
            assertThat(loaded.server.tlsCert).startsWith("/etc/intravis/tls/");
        }
        Deployment or1 = ManifestChecks.of(kustomize(KUBERNETES.resolve("or1")), SITE_SECRETS).all(Deployment.class).get(0);
        assertThat(or1.getMetadata().getName()).isEqualTo("intravis-edge-or1");
        assertThat(or1.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("intravis.org/or", "or1");
        assertThat(or1.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getLimits())
                .containsKey("squat.ai/video");
    }

    @Test
    void theInferencePoolsAskForGpusAndAreReadyWhenTheirModelIs() throws Exception {
        Deployment nodes = ManifestChecks.of(kustomize(KUBERNETES.resolve("inference")), SITE_SECRETS)
                .all(Deployment.class).get(0);
        Container node = nodes.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(node.getArgs()).startsWith("serve-inference");
        assertThat(node.getResources().getRequests()).containsKey("nvidia.com/gpu");
        assertThat(node.getReadinessProbe().getGrpc().getService()).isEqualTo("ultrasound");

        ManifestChecks triton = ManifestChecks.of(kustomize(KUBERNETES.resolve("triton")), SITE_SECRETS);
        Deployment t = triton.all(Deployment.class).get(0);
        Container export = t.getSpec().getTemplate().getSpec().getInitContainers().get(0);
        Container server = t.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(export.getArgs()).containsSubsequence("export-model", "--triton", "/models");
        assertThat(server.getImage()).startsWith("nvcr.io/nvidia/tritonserver:");
        assertThat(server.getArgs()).contains("--model-repository=/models");
        assertThat(server.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/v2/models/ultrasound/ready");
        assertThat(server.getResources().getLimits()).containsKey("nvidia.com/gpu");
        assertThat(triton.all(Service.class).get(0).getSpec().getPorts()).anyMatch(p -> p.getPort() == 8001);
    }

    /** The checks find what a broken manifest gets wrong: the test above can fail. */
    @Test
    void brokenManifestsAreCaught() throws Exception {
        String good = kustomize(KUBERNETES.resolve("inference"));
        assertThat(ManifestChecks.of(good, SITE_SECRETS).problems()).isEmpty();

        assertThat(ManifestChecks.of(good.replace("readinessProbe:", "readynessProbe:"), SITE_SECRETS).problems())
                .anySatisfy(p -> assertThat(p).contains("unknown field(s) [readynessProbe]"));
        assertThat(ManifestChecks.of(good.replace("replicas: 2", "replicas: two"), SITE_SECRETS).problems())
                .anySatisfy(p -> assertThat(p).contains("Deployment"));
        assertThat(ManifestChecks.of(good.replace("targetPort: grpc", "targetPort: grcp"), SITE_SECRETS).problems())
                .anySatisfy(p -> assertThat(p).contains("targetPort 'grcp'"));
        String volume = "      - emptyDir: {}\n        name: native-cache\n";
        assertThat(good).contains(volume);
        assertThat(ManifestChecks.of(good.replace(volume, "      - emptyDir: {}\n        name: native-cash\n"),
                SITE_SECRETS).problems())
                .anySatisfy(p -> assertThat(p).contains("mounts volume 'native-cache', which the pod does not have"));
        assertThat(ManifestChecks.of(good, Set.of()).problems())
                .anySatisfy(p -> assertThat(p).contains("Secret 'intravis-inference-tls', which nobody makes"));
        String noLimit = good.replaceFirst("(?s)(limits:\\n\\s+memory: 8Gi)\\n\\s+nvidia.com/gpu: \"1\"", "$1");
        assertThat(noLimit).isNotEqualTo(good);
        assertThat(ManifestChecks.of(noLimit, SITE_SECRETS).problems())
                .anySatisfy(p -> assertThat(p).contains("nvidia.com/gpu requested without an equal limit"));
        assertThat(ManifestChecks.of(good.replace("kind: Service", "kind: Servise"), SITE_SECRETS).problems())
                .anySatisfy(p -> assertThat(p).contains("Servise"));
    }

    private static String kustomize(Path bundle) throws Exception {
        // no cluster is asked: kustomize builds offline; KUBECONFIG points nowhere so nothing could be reached anyway
        Tools.Result r = Tools.run(List.of("kubectl", "kustomize", bundle.toString()),
                Map.of("KUBECONFIG", "/dev/null"), null);
        assertThat(r.code()).as("kubectl kustomize " + bundle + ": " + r.out()).isZero();
        return r.out();
    }
}
