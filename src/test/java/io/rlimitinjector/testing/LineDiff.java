package io.rlimitinjector.testing;

import java.util.ArrayList;
import java.util.List;

/** A unified-style line diff, so a failing golden file shows what changed instead of two walls of YAML. */
public final class LineDiff {
    private LineDiff() {
    }

    public static String diff(String expected, String actual) {
        String[] a = expected.split("\n", -1);
        String[] b = actual.split("\n", -1);
        int[][] common = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                common[i][j] = a[i].equals(b[j]) ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<String> lines = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                lines.add("  " + a[i]);
                i++;
                j++;
            } else if (j < b.length && (i == a.length || common[i][j + 1] >= common[i + 1][j])) {
                lines.add("+ " + b[j++]);
            } else {
                lines.add("- " + a[i++]);
            }
        }
        return String.join("\n", withContext(lines));
    }

    /** Keeps changed lines and three lines around each. */
    private static List<String> withContext(List<String> lines) {
        List<String> shown = new ArrayList<>();
        int lastShown = -1;
        for (int k = 0; k < lines.size(); k++) {
            boolean near = false;
            for (int d = -3; d <= 3 && !near; d++) {
                int n = k + d;
                near = n >= 0 && n < lines.size() && !lines.get(n).startsWith("  ");
            }
            if (near) {
                if (lastShown >= 0 && k > lastShown + 1) {
                    shown.add("  ...");
                }
                shown.add(lines.get(k));
                lastShown = k;
            }
        }
        return shown;
    }
}
