package io.trackside.warehouse;

import java.time.LocalDate;
import java.util.List;
import java.util.Set;

/**
 * What one poll of a {@link WarehouseMirror} changed in the local copy, told to its listeners
 * after the commit.
 *
 * @param newEvents   the newest events copied (at most {@link WarehouseMirror#LIVE_EVENTS}, oldest
 *                    first by received_at); empty for the first, full copy, which is history, not news
 * @param changedDays the UTC days (of {@code timestamp}) that events were copied into or deleted from
 * @param fullCopy    whether this was the first copy of a new mirror
 */
public record MirrorChanges(List<MirroredEvent> newEvents, Set<LocalDate> changedDays, boolean fullCopy) {
}
