/* EFC application conventions the OBE and the RSE share (docs/profiles.md): how an OBE's
 * applications name their profile, and the attribute ids efcsim uses. */
#ifndef DSRC_EFC_H
#define DSRC_EFC_H

/* typeOfContract in each application's context mark, so an RSE can tell the profiles
 * apart; the security level follows from the VST parameter's length (6 or 16 octets). */
enum {
  DSRC_CONTRACT_EN15509 = 0x0001,
  DSRC_CONTRACT_AUTOPASS = 0x0002,
  DSRC_CONTRACT_AES = 0x0003
};

/* EFC attribute ids (docs/profiles.md). */
enum {
  DSRC_ATTR_CONTEXT_MARK = 0,
  DSRC_ATTR_LPN = 16,
  DSRC_ATTR_CLASS = 17,
  DSRC_ATTR_DIMENSIONS = 18,
  DSRC_ATTR_AXLES = 19,
  DSRC_ATTR_WEIGHTS = 20,
  DSRC_ATTR_SPECIFIC = 22,
  DSRC_ATTR_OBUID = 24,
  DSRC_ATTR_STATUS = 26,
  DSRC_ATTR_PAYMENT_MEANS = 32,
  DSRC_ATTR_RECEIPT1 = 33,
  DSRC_ATTR_RECEIPT2 = 34
};

/* The Level 1 VST parameter: context mark(6) || 02 02 || AC_CR-Reference(2) || 02 04 ||
 * RndOBE(4). */
enum { DSRC_L1_PARAM_LEN = 16, DSRC_L0_PARAM_LEN = 6 };

#endif
