package dev.palimpsest.recall.lucene;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import org.apache.lucene.index.FilterMergePolicy;
import org.apache.lucene.index.MergePolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.TieredMergePolicy;

/**
 * The merge policy of the index: Lucene's tiered policy, except that a forced merge of deletes
 * rewrites exactly the segments that held an erased conversation. A deleted document's words stay
 * in its segment's files until the segment is rewritten, so an erasure rewrites those segments
 * (and no others: every segment has deleted marks, which need no hurry).
 */
final class ErasingMergePolicy extends FilterMergePolicy {
    private volatile Set<String> targets = Set.of();

    ErasingMergePolicy() {
        super(new TieredMergePolicy());
    }

    /** Names the segments the next forced merge of deletes rewrites. */
    void target(Set<String> segmentNames) {
        targets = Set.copyOf(segmentNames);
    }

    @Override
    public MergeSpecification findForcedDeletesMerges(SegmentInfos infos, MergeContext context)
            throws IOException {
        Set<String> wanted = targets;
        MergeSpecification spec = null;
        for (SegmentCommitInfo info : infos) {
            if (wanted.contains(info.info.name) && !context.getMergingSegments().contains(info)) {
                if (spec == null) {
                    spec = new MergeSpecification();
                }
                spec.add(new MergePolicy.OneMerge(List.of(info)));
            }
        }
        return spec;
    }
}
