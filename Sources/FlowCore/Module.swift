import CCrypto
import Yams
