// Allocates and touches args[0] MiB in chunks of args[1] KiB (default 65536, 64 MiB); reports how far it got.
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class Alloc {
    public static void main(String[] args) {
        long target = Long.parseLong(args[0]) << 10;
        int chunk = args.length > 1 ? Integer.parseInt(args[1]) : 65536;
        long done = 0;
        List<byte[]> keep = new ArrayList<>();
        try {
            while (done < target) {
                byte[] b = new byte[chunk << 10];
                Arrays.fill(b, (byte) 1);
                keep.add(b);
                done += chunk;
            }
        } catch (OutOfMemoryError e) {
            keep.clear();
            System.out.println("ERROR " + e.getClass().getSimpleName() + " (" + e.getMessage() + ") at " + (done >> 10) + " MiB");
            System.exit(1);
        }
        System.out.println("OK allocated " + (done >> 10) + " MiB");
    }
}
