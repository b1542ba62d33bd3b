// SPDX-License-Identifier: GPL-2.0-only
/*
 * nvmev: the command sets, as tables of opcodes.
 *
 * Each command set lists the opcodes it implements (admin.c, io.c for NVM,
 * zoned.c for ZNS on top of NVM, keyvalue.c for KV) with what the rest of
 * the device needs to know of them.  An opcode a table does not list is
 * answered with Invalid Opcode, and is not in the Effects log.
 */
#include "nvmev.h"
#include "namespace.h"

/* The entry of @opcode in @set (or a set it extends), or NULL. */
const struct nvmev_op *nvmev_op_find(const struct nvmev_cmd_set *set,
				     u8 opcode)
{
	unsigned int i;

	for (; set; set = set->base)
		for (i = 0; i < set->nr_ops; i++)
			if (set->ops[i].opcode == opcode)
				return &set->ops[i];
	return NULL;
}

/* The Commands Supported and Effects entries of @set, 256 of them. */
void nvmev_cmd_set_effects(const struct nvmev_cmd_set *set, __le32 *effects)
{
	unsigned int i;

	for (; set; set = set->base)
		for (i = 0; i < set->nr_ops; i++) {
			const struct nvmev_op *op = &set->ops[i];

			/* an extending set's entry wins: it comes first */
			if (!effects[op->opcode])
				effects[op->opcode] =
					cpu_to_le32(NVME_CMD_EFFECTS_CSUPP |
						    op->effects);
		}
}

/*
 * The I/O command set of namespace @ns; for a command that names no
 * namespace, the set of NVM and ZNS opcodes, whose commands all address a
 * namespace.
 */
const struct nvmev_cmd_set *nvmev_ns_cmd_set(const struct nvmev_ns *ns)
{
	return ns ? ns->ops->cmds : &nvmev_zns_cmds;
}
