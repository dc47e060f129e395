package io.rlimitinjector.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Where the address decision is made, with IP literals and a resolver of the test's own: nothing here opens a socket
 * or sends a packet, which is the only way a test may show that private and link-local targets are refused.
 */
class AddressPolicyTest {
    @Test
    void onlyGloballyReachableUnicastIsPublic() throws Exception {
        for (String refused : List.of("127.0.0.1", "127.1.2.3", "0.0.0.0", "10.1.2.3", "172.16.0.1", "172.31.255.255",
                "192.168.1.1", "100.64.0.1", "100.127.255.255", "169.254.169.254", "169.254.0.1", "192.0.0.170",
                "198.18.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
                "::", "::1", "fe80::1", "febf::1", "fc00::1", "fd00:ec2::254", "ff02::1", "::ffff:127.0.0.1",
                "::ffff:169.254.169.254", "::127.0.0.1", "64:ff9b::a9fe:a9fe", "64:ff9b:1::1",
                "2002:a9fe:a9fe::1", "2002:0a00:0001::1", "2001:db8::1", "2001:0:4136:e378::1", "fec0::1")) {
            assertThat(AddressPolicy.isPublic(InetAddress.getByName(refused))).as(refused).isFalse();
        }
        for (String allowed : List.of("8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.128.0.1",
                "169.253.255.255", "192.169.0.1", "2606:4700::1111", "2a00:1450:4001::200e", "64:ff9b::808:808",
                "2002:0808:0808::1")) {
            assertThat(AddressPolicy.isPublic(InetAddress.getByName(allowed))).as(allowed).isTrue();
        }
    }

    /** The JDK turns ::ffff:a.b.c.d into an IPv4 address; the check must hold for an IPv6 object of that form too. */
    @Test
    void ipv4MappedFormsAreJudgedByTheirIpv4Address() throws Exception {
        byte[] mappedLoopback = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 127, 0, 0, 1};
        byte[] mappedPublic = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 8, 8, 8, 8};
        assertThat(AddressPolicy.isPublic(Inet6Address.getByAddress(null, mappedLoopback, null))).isFalse();
        assertThat(AddressPolicy.isPublic(Inet6Address.getByAddress(null, mappedPublic, null))).isTrue();
    }

    @Test
    void aHostIsRefusedWhenAnyOfItsAddressesIsNotPublic() {
        AddressPolicy policy = policy(Set.of(), Set.of(), Map.of(
                "mixed.example", List.of("93.184.216.34", "10.0.0.5"),
                "metadata.example", List.of("169.254.169.254"),
                "v6.example", List.of("2606:4700::1111", "fd00:ec2::254"),
                "public.example", List.of("93.184.216.34", "2606:4700::1111")));

        assertThat(refusal(policy, "https://mixed.example/v2/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
        assertThat(refusal(policy, "https://metadata.example/latest/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
        assertThat(refusal(policy, "https://v6.example/v2/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
        assertThat(refusal(policy, "https://169.254.169.254/latest/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
        assertThat(refusal(policy, "https://[fe80::1]:5000/v2/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
        assertThat(refusal(policy, "https://unknown.example/v2/")).isEqualTo(LookupFailure.UNREACHABLE);
        assertThatCode(() -> policy.check(URI.create("https://public.example/v2/"))).doesNotThrowAnyException();
    }

    @Test
    void plainHttpOnlyToHostsListedInsecure() {
        AddressPolicy policy = policy(Set.of("registry.svc:5000"), Set.of("http://plain.svc:5000"),
                Map.of("public.example", List.of("93.184.216.34")));

        assertThat(refusal(policy, "http://public.example/v2/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
        assertThat(refusal(policy, "http://registry.svc:5000/v2/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
        assertThat(refusal(policy, "ftp://public.example/v2/")).isEqualTo(LookupFailure.INVALID_RESPONSE);
        assertThatCode(() -> policy.check(URI.create("http://plain.svc:5000/v2/"))).doesNotThrowAnyException();
        assertThatCode(() -> policy.check(URI.create("https://plain.svc:5000/v2/"))).doesNotThrowAnyException();
    }

    /** Listed hosts are the operator's to trust: not even resolved (the resolver here knows none of them). */
    @Test
    void listedHostsMayHaveAnyAddressButOnlyOnTheListedPort() {
        AddressPolicy policy = policy(Set.of("Registry.SVC:5000", "10.96.0.20"), Set.of("https://insecure.svc"),
                Map.of("registry.svc", List.of("10.96.0.10")));

        assertThatCode(() -> policy.check(URI.create("https://registry.svc:5000/v2/"))).doesNotThrowAnyException();
        assertThatCode(() -> policy.check(URI.create("https://10.96.0.20/v2/"))).doesNotThrowAnyException();
        assertThatCode(() -> policy.check(URI.create("https://insecure.svc/v2/"))).doesNotThrowAnyException();
        assertThat(refusal(policy, "https://registry.svc:5001/v2/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
        assertThat(refusal(policy, "https://registry.svc/v2/")).isEqualTo(LookupFailure.REFUSED_ADDRESS);
    }

    private static AddressPolicy policy(Set<String> listed, Set<String> insecure, Map<String, List<String>> dns) {
        return new AddressPolicy(listed, insecure, host -> {
            List<String> answer = dns.get(host);
            if (answer == null) {
                // An IP literal is parsed, never looked up; any other unknown name fails as DNS would.
                if (host.matches("[0-9.]+|\\[[0-9a-fA-F:.]+]")) {
                    return InetAddress.getAllByName(host);
                }
                throw new UnknownHostException(host);
            }
            InetAddress[] addresses = new InetAddress[answer.size()];
            for (int i = 0; i < addresses.length; i++) {
                addresses[i] = InetAddress.getByName(answer.get(i));
            }
            return addresses;
        });
    }

    private static LookupFailure refusal(AddressPolicy policy, String uri) {
        Throwable thrown = catchThrowable(() -> policy.check(URI.create(uri)));
        assertThat(thrown).as(uri).isInstanceOf(RegistryException.class);
        return ((RegistryException) thrown).failure();
    }
}
