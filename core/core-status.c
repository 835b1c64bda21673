/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service's state as a report (smmuctl status): units, devices with
 * their owner and object, objects with their mappings, clients, and the
 * most recent faults.  Text for people, JSON for scripts; both come from
 * the same walk so that they cannot disagree.
 *
 * An object can hold a million mappings; a report lists the first
 * CORE_STATUS_MAX_MAPPINGS of each and says how many there are.
 */
#include "core/core-internal.h"

#include <inttypes.h>

#include "common/strbuf.h"

#define CORE_STATUS_MAX_MAPPINGS 64u

static void put_devid(struct strbuf *out, const union smmu_devid *devid)
{
	switch (devid->type) {
	case SDT_PCI:
		strbuf_printf(out, "pci:%u:%u.%u", devid->pci.bus, devid->pci.dev, devid->pci.func);
		break;
	case SDT_MMIO:
		strbuf_printf(out, "mem:0x%" PRIx64, devid->mmio.phys);
		if (devid->mmio.length) {
			strbuf_printf(out, ",%u", devid->mmio.length);
		}
		break;
	default:
		strbuf_puts(out, "unknown");
		break;
	}
}

static const char *prot_text(unsigned prot)
{
	static const char *const names[] = {"-", "r", "w", "rw", "x", "rx", "wx", "rwx"};

	return names[prot & 7];
}

static const char *abilities_text(unsigned abilities)
{
	static const char *const texts[] = {"none", "attach", "target", "attach,target"};

	return texts[abilities & (CORE_ABILITY_ATTACH | CORE_ABILITY_TARGET)];
}

/* A device's state in one word: in an object, in its startup state, or
 * blocked (startup state without anything to reach). */
static const char *device_state(const struct core_device *device)
{
	if (device->object) {
		return "object";
	}
	return device->startup_domain ? "startup" : "blocked";
}

static void text_mappings(struct strbuf *out, const struct core_mapping_set *set)
{
	for (size_t i = 0; i < set->count && i < CORE_STATUS_MAX_MAPPINGS; i++) {
		const struct smmu_backend_range *m = &set->items[i];

		strbuf_printf(out, "      0x%" PRIx64 "-0x%" PRIx64 " -> 0x%" PRIx64 " %s\n",
			      m->iova, m->iova + m->size - 1, m->pa, prot_text(m->prot));
	}
	if (set->count > CORE_STATUS_MAX_MAPPINGS) {
		strbuf_printf(out, "      ... %zu more\n", set->count - CORE_STATUS_MAX_MAPPINGS);
	}
}

/* The sequence number of the oldest fault still in recent_faults. */
static uint64_t oldest_recent_fault(const struct core *core)
{
	return core->fault_total > CORE_RECENT_FAULTS ? core->fault_total - CORE_RECENT_FAULTS : 0;
}

static void status_text(const struct core *core, struct strbuf *out)
{
	strbuf_printf(out, "support library: %s\n", core->backend->name);
	strbuf_printf(out, "units: %zu\n", core->unit_count);
	for (size_t i = 0; i < core->unit_count; i++) {
		strbuf_printf(out, "  %s\n", core->units[i]->name);
	}
	strbuf_printf(out, "devices: %zu\n", core->device_count);
	for (size_t i = 0; i < core->device_count; i++) {
		const struct core_device *device = core->devices[i];

		strbuf_puts(out, "  ");
		put_devid(out, &device->devid);
		strbuf_printf(out, "  unit %s  %s", device->unit->name, device_state(device));
		if (device->object) {
			strbuf_printf(out, " %" PRIu32 "  owner pid %ld", device->object->id,
				      (long)device->owner->pid);
		} else if (device->startup.count) {
			strbuf_printf(out, " (%zu mappings)", device->startup.count);
		}
		strbuf_putc(out, '\n');
	}
	strbuf_printf(out, "objects: %zu\n", core->object_count);
	for (size_t i = 0; i < core->object_count; i++) {
		const struct core_object *object = core->objects[i];

		strbuf_printf(out,
			      "  %" PRIu32
			      "  owner pid %ld  flags 0x%x  devices %zu  mappings %zu\n",
			      object->id, (long)object->owner->pid, object->flags,
			      object->device_count, object->mappings.count);
		text_mappings(out, &object->mappings);
	}
	strbuf_printf(out, "clients: %zu\n", core->client_count);
	for (size_t i = 0; i < core->client_count; i++) {
		const struct core_client *client = core->clients[i];

		strbuf_printf(out, "  pid %ld  uid %ld  abilities %s  queued %u\n",
			      (long)client->pid, (long)client->uid,
			      abilities_text(client->abilities), client->queue_count);
	}
	strbuf_printf(out, "faults: %" PRIu64 "\n", core->fault_total);
	for (uint64_t n = oldest_recent_fault(core); n < core->fault_total; n++) {
		const struct smmu_status *fault = &core->recent_faults[n % CORE_RECENT_FAULTS];

		strbuf_puts(out, "  ");
		put_devid(out, &fault->devid);
		strbuf_printf(out, "  address 0x%" PRIx64 "  hw 0x%" PRIx64 "\n", fault->fault_addr,
			      fault->hw_specific);
	}
}

/* A JSON string; the report's strings are names from the configuration,
 * which may hold any byte but '\0'. */
static void json_string(struct strbuf *out, const char *s)
{
	strbuf_putc(out, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			strbuf_putc(out, '\\');
			strbuf_putc(out, (char)c);
		} else if (c < 0x20 || c == 0x7f) {
			strbuf_printf(out, "\\u%04x", c);
		} else {
			strbuf_putc(out, (char)c);
		}
	}
	strbuf_putc(out, '"');
}

static void json_devid(struct strbuf *out, const union smmu_devid *devid)
{
	struct strbuf text = STRBUF_INIT;

	put_devid(&text, devid);
	json_string(out, text.oom ? "?" : strbuf_str(&text));
	strbuf_fini(&text);
}

static void json_mappings(struct strbuf *out, const struct core_mapping_set *set)
{
	strbuf_printf(out, "\"mapping_count\":%zu,\"mappings\":[", set->count);
	for (size_t i = 0; i < set->count && i < CORE_STATUS_MAX_MAPPINGS; i++) {
		const struct smmu_backend_range *m = &set->items[i];

		strbuf_printf(out,
			      "%s{\"iova\":%" PRIu64 ",\"size\":%" PRIu64 ",\"pa\":%" PRIu64
			      ",\"prot\":\"%s\"}",
			      i ? "," : "", m->iova, m->size, m->pa, prot_text(m->prot));
	}
	strbuf_putc(out, ']');
}

static void status_json(const struct core *core, struct strbuf *out)
{
	strbuf_puts(out, "{\"support_library\":");
	json_string(out, core->backend->name);
	strbuf_puts(out, ",\"units\":[");
	for (size_t i = 0; i < core->unit_count; i++) {
		strbuf_puts(out, i ? ",{\"name\":" : "{\"name\":");
		json_string(out, core->units[i]->name);
		strbuf_putc(out, '}');
	}
	strbuf_puts(out, "],\"devices\":[");
	for (size_t i = 0; i < core->device_count; i++) {
		const struct core_device *device = core->devices[i];

		strbuf_puts(out, i ? ",{\"id\":" : "{\"id\":");
		json_devid(out, &device->devid);
		strbuf_puts(out, ",\"unit\":");
		json_string(out, device->unit->name);
		strbuf_printf(out, ",\"state\":\"%s\"", device_state(device));
		if (device->object) {
			strbuf_printf(out, ",\"object\":%" PRIu32 ",\"owner_pid\":%ld",
				      device->object->id, (long)device->owner->pid);
		}
		strbuf_printf(out, ",\"startup_mappings\":%zu}", device->startup.count);
	}
	strbuf_puts(out, "],\"objects\":[");
	for (size_t i = 0; i < core->object_count; i++) {
		const struct core_object *object = core->objects[i];

		strbuf_printf(out,
			      "%s{\"id\":%" PRIu32
			      ",\"owner_pid\":%ld,\"flags\":%u,\"devices\":%zu,",
			      i ? "," : "", object->id, (long)object->owner->pid, object->flags,
			      object->device_count);
		json_mappings(out, &object->mappings);
		strbuf_putc(out, '}');
	}
	strbuf_puts(out, "],\"clients\":[");
	for (size_t i = 0; i < core->client_count; i++) {
		const struct core_client *client = core->clients[i];

		strbuf_printf(out,
			      "%s{\"pid\":%ld,\"uid\":%ld,\"attach\":%s,\"target\":%s,"
			      "\"listener\":%s,\"queued\":%u}",
			      i ? "," : "", (long)client->pid, (long)client->uid,
			      client->abilities & CORE_ABILITY_ATTACH ? "true" : "false",
			      client->abilities & CORE_ABILITY_TARGET ? "true" : "false",
			      client->listener ? "true" : "false", client->queue_count);
	}
	strbuf_printf(out, "],\"fault_total\":%" PRIu64 ",\"recent_faults\":[", core->fault_total);
	for (uint64_t n = oldest_recent_fault(core); n < core->fault_total; n++) {
		const struct smmu_status *fault = &core->recent_faults[n % CORE_RECENT_FAULTS];

		strbuf_puts(out, n == oldest_recent_fault(core) ? "{\"device\":" : ",{\"device\":");
		json_devid(out, &fault->devid);
		strbuf_printf(out, ",\"address\":%" PRIu64 ",\"hw_specific\":%" PRIu64 "}",
			      fault->fault_addr, fault->hw_specific);
	}
	strbuf_puts(out, "]}\n");
}

void core_status(const struct core *core, bool json, struct strbuf *out)
{
	if (json) {
		status_json(core, out);
	} else {
		status_text(core, out);
	}
}
