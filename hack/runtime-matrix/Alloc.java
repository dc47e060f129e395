// Allocates and touches args[0] MiB in 64 MiB chunks; reports how far it got.
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

public class Alloc {
    public static void main(String[] args) {
        long target = Long.parseLong(args[0]);
        int chunk = 64;
        long done = 0;
        List<byte[]> keep = new ArrayList<>();
        try {
            while (done < target) {
                byte[] b = new byte[chunk << 20];
                Arrays.fill(b, (byte) 1);
                keep.add(b);
                done += chunk;
            }
        } catch (OutOfMemoryError e) {
            keep.clear();
            System.out.println("ERROR " + e.getClass().getSimpleName() + " (" + e.getMessage() + ") at " + done + " MiB");
            System.exit(1);
        }
        System.out.println("OK allocated " + done + " MiB");
    }
}
