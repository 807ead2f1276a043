/*
 * bcryptprimitives.dll for Wine 8, which lacks it: Go 1.24 and later call
 * ProcessPrng from this DLL for their random numbers and abort when it is
 * missing. This stand-in exports ProcessPrng and fills the buffer from
 * RtlGenRandom (advapi32's SystemFunction036). It exists only so that the
 * Windows test binaries run under Wine; it is never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T size)
{
	while (size > 0) {
		ULONG n = size > 0x40000000 ? 0x40000000 : (ULONG)size;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		size -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
	(void)instance;
	(void)reason;
	(void)reserved;
	return TRUE;
}
